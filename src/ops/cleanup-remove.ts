/**
 * The removal step of `bento cleanup`, and its crash replay: scopes whose locks
 * the caller holds go to trash behind one journal intent, then the trash is
 * deleted. `recover.ts` replays an interrupted intent with `finishCleanup`.
 */
import { crashPoint } from '../core/faults.js'
import { beginIntent, endIntent, releaseIntent } from '../core/journal.js'
import type { JournalIntent } from '../core/journal.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { scopeOfIntent } from './scope-ref.js'
import { emptyTrash, moveScopeToTrash } from './trash.js'

/** Removes scopes whose locks the caller holds: one journal intent and one trash dir for all, then the delete. */
export const removeScopes = async (backend: StorageBackend, scopes: Scope[]): Promise<void> => {
  const intent = await beginIntent(backend.layout, { op: 'cleanup', scopes, phase: 'start', data: {} })
  try {
    crashPoint('cleanup:after-intent')
    await finishCleanup(backend, intent)
  } catch (error) {
    releaseIntent(intent)
    throw error
  }
}

/** Removes one scope whose lock the caller holds: journal, trash, delete. */
export const removeScope = (backend: StorageBackend, scope: Scope): Promise<void> => removeScopes(backend, [scope])

/**
 * Completes a cleanup intent (also the crash replay): every scope it names goes
 * to trash (slot `<i>-` in a batch), then the trash is deleted.
 */
export const finishCleanup = async (backend: StorageBackend, intent: JournalIntent): Promise<void> => {
  const scopes = intent.scopes.map((ref) => scopeOfIntent(ref))
  for (const [i, scope] of scopes.entries()) {
    await moveScopeToTrash(backend.layout, scope, intent.id, 'cleanup', scopes.length === 1 ? '' : `${i}-`)
  }
  crashPoint('cleanup:after-trash')
  await emptyTrash(backend.layout, intent.id)
  await endIntent(backend.layout, intent)
}
