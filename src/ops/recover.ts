/**
 * Finishing what a crashed operation started. Every write operation calls
 * `recoverPendingOperations` before it plans, so a SIGKILL between two renames
 * of a migrate, or between the trash move and the delete of a cleanup, is
 * completed by whichever command runs next (the backend's
 * `finishPendingOperations`; a database backend has nothing to finish).
 */
import type { RecoveryReport } from '../core/backend/contract/scope-moves.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { pendingNotes } from './pending.js'

export type { RecoveryReport }

/**
 * @example
 * const { completed, pending } = await recoverPendingOperations(backend)
 */
export const recoverPendingOperations = (backend: StorageBackend): Promise<RecoveryReport> => backend.finishPendingOperations()

/**
 * Before a write command touches these scopes (all of them with `'all'`): finishes what a
 * crashed operation left on them, as the notes of `ls` and `inspect` promise ("the next write
 * command finishes it"), instead of answering busy until a migrate or cleanup runs. An
 * operation still running elsewhere is left alone; the write then answers busy.
 * Test: test/ops/recover.test.ts.
 */
export const finishPendingFor = async (backend: StorageBackend, scopes: readonly Scope[] | 'all'): Promise<void> => {
  if ((await pendingNotes(backend, scopes === 'all' ? undefined : [...scopes])).length > 0) await recoverPendingOperations(backend)
}
