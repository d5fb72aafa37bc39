/**
 * `cleanupSessions`, the seed's sweep of expired sessions, as a server helper:
 * given a live server's `config` it removes through that server's backend, so
 * the removed scopes leave its store pool. Also exported from
 * `bento-core/middleware/isolation`, the seed's import path.
 */
import { createFsBackend } from '../core/backend/index.js'
import type { StorageBackend } from '../core/backend/types.js'
import { BentoError, toBentoError } from '../core/errors.js'
import { DEFAULT_SESSION_TTL_MS } from '../core/sessions.js'
import { cleanupExpiredSessions } from '../ops/cleanup.js'
import type { CleanupResult } from '../ops/types.js'
import { liveServerForConfig } from './config-registry.js'

/** What `cleanupSessions` needs: a server's `config`, or a plain object naming the data dir. */
export interface CleanupSessionsConfig {
  dataDir: string
  /** Default 24 h. */
  sessionTtlMs?: number
}

export interface CleanupSessionsOptions {
  /** The clock, in ms since the epoch. Default: the server's (given its `config`), else `Date.now`. */
  now?: () => number
}

export interface CleanupSessionsResult extends CleanupResult {
  /** Set when the sweep failed; the promise itself never rejects (the seed calls it from setInterval). */
  error?: { code: string; message: string }
}

/**
 * Removes every session scope idle longer than the TTL, with its uploads,
 * conversations and memory. Given a live server's `config`, it evicts the
 * removed scopes from that server's store pool. Never rejects.
 *
 * @example
 * import { cleanupSessions } from 'bento-core/middleware/isolation'
 * setInterval(() => { cleanupSessions(server.config) }, 30 * 60 * 1000)
 */
export const cleanupSessions = async (config: CleanupSessionsConfig, options: CleanupSessionsOptions = {}): Promise<CleanupSessionsResult> => {
  const live = liveServerForConfig(config)
  let backend: StorageBackend | undefined = live?.backend
  const now = options.now ?? live?.now ?? Date.now
  try {
    backend ??= createFsBackend({ dataDir: config.dataDir })
    return await cleanupExpiredSessions(backend, { ttlMs: config.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, now: now() })
  } catch (error) {
    const failure: BentoError = toBentoError(error, 'Cleaning up expired sessions')
    return { dryRun: false, removed: [], skipped: [], freedBytes: 0, error: { code: failure.code, message: failure.message } }
  } finally {
    if (live === undefined) await backend?.close().catch(() => {})
  }
}
