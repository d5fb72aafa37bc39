/**
 * The fs backend's pending operations: the journal's intents, read without
 * claiming, replaying or sweeping anything (`recoverPendingOperations` does that
 * for write commands).
 */
import { isOwnerGone, readIntents } from '../journal.js'
import type { Layout } from '../layout.js'
import { scopeFromDirName } from '../keys.js'
import type { Scope } from '../keys.js'
import type { PendingOperation } from './types.js'

const scopesOf = (refs: Array<{ kind: string; dir: string }>): Scope[] => {
  const scopes: Scope[] = []
  for (const ref of refs) {
    try {
      const scope = scopeFromDirName(ref.dir)
      if (scope.kind === ref.kind) scopes.push(scope)
    } catch {
      // A hand-edited intent naming no valid scope: reported with the scopes it does name.
    }
  }
  return scopes
}

export const readFsPendingOperations = async (layout: Layout): Promise<PendingOperation[]> => {
  const { intents, unreadable } = await readIntents(layout)
  return [
    ...intents.map((intent) => ({ id: intent.id, op: intent.op, scopes: scopesOf(intent.scopes), running: !isOwnerGone(intent) })),
    ...unreadable.map((name) => ({ id: name.replace(/\.json$/, ''), op: 'unreadable', scopes: [], running: false })),
  ]
}
