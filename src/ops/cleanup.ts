/**
 * `bento cleanup`: remove scopes (sessions by default) inactive for longer than
 * a given age — vectors, uploads, activity, conversations and memory together.
 * Plan (`cleanup-plan.ts`) and apply (`cleanup-apply.ts`), like migrate; the
 * removal itself is the backend's (`StorageBackend.removeScopes`).
 */
import type { StorageBackend } from '../core/backend/types.js'
import { applyCleanup } from './cleanup-apply.js'
import { planCleanup } from './cleanup-plan.js'
import type { CleanupResult } from './types.js'

export { applyCleanup, CLEANUP_BATCH, CLEANUP_CONCURRENCY, type ApplyCleanupOptions } from './cleanup-apply.js'
export { describeCleanup, planCleanup, type CleanupOptions, type CleanupPlan, type CleanupTarget } from './cleanup-plan.js'

export interface CleanupExpiredOptions {
  /** Sessions idle longer than this are removed (the seed's default is 24 h). */
  ttlMs: number
  now?: Date | number
}

/**
 * The seed's `cleanupSessions`: remove expired sessions now. Safe to call on an
 * interval from a server: scopes in use or locked are skipped, not waited for.
 *
 * @example
 * setInterval(() => void cleanupExpiredSessions(backend, { ttlMs: 24 * 3600_000 }), 30 * 60_000)
 */
export const cleanupExpiredSessions = async (backend: StorageBackend, options: CleanupExpiredOptions): Promise<CleanupResult> => {
  const plan = await planCleanup(backend, { olderThanMs: options.ttlMs, kinds: ['session'], ...(options.now === undefined ? {} : { now: options.now }) })
  return applyCleanup(backend, plan)
}
