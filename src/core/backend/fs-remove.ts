/**
 * The removal step of `bento cleanup`, and its crash replay: scopes whose locks
 * the caller holds go to trash behind one journal intent, then the trash is
 * deleted. `fs-recover.ts` replays an interrupted intent with `finishCleanup`.
 */
import { crashPoint } from '../faults.js'
import { beginIntent, endIntent, releaseIntent, scopeOfIntent } from '../journal.js'
import type { JournalIntent } from '../journal.js'
import type { Layout } from '../layout.js'
import type { Scope } from '../keys.js'
import { emptyTrash, moveScopesToTrash } from './fs-trash.js'

/** Removes scopes whose locks the caller holds: one journal intent and one trash dir for all, then the delete. */
export const removeScopesJournaled = async (layout: Layout, scopes: Scope[]): Promise<void> => {
  const intent = await beginIntent(layout, { op: 'cleanup', scopes, phase: 'start', data: {} })
  try {
    crashPoint('cleanup:after-intent')
    await finishCleanup(layout, intent)
  } catch (error) {
    releaseIntent(intent)
    throw error
  }
}

/**
 * Completes a cleanup intent (also the crash replay): every scope it names goes
 * to trash (slot `<i>-` in a batch), then the trash is deleted.
 */
export const finishCleanup = async (layout: Layout, intent: JournalIntent): Promise<void> => {
  await moveScopesToTrash(layout, intent.scopes.map((ref) => scopeOfIntent(ref)), intent.id, 'cleanup')
  crashPoint('cleanup:after-trash')
  await emptyTrash(layout, intent.id)
  await endIntent(layout, intent)
}
