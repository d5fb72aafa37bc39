/**
 * Finishing what a crashed operation started. Every write operation calls
 * `recoverPendingOperations` before it plans, so a SIGKILL between two renames
 * of a migrate, or between the trash move and the delete of a cleanup, is
 * completed by whichever command runs next (the backend's
 * `finishPendingOperations`; a database backend has nothing to finish).
 */
import type { RecoveryReport } from '../core/backend/contract/scope-moves.js'
import type { StorageBackend } from '../core/backend/types.js'

export type { RecoveryReport }

/**
 * @example
 * const { completed, pending } = await recoverPendingOperations(backend)
 */
export const recoverPendingOperations = (backend: StorageBackend): Promise<RecoveryReport> => backend.finishPendingOperations()
