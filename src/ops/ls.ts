/**
 * `bento ls`: every scope with its kind, document count, size and last
 * activity, from the backend's summaries (`scopeSummaries` with documents).
 * Cheap: on the fs backend documents come from the manifest (`bento.json`),
 * without loading any index (a 100k-scope data dir must not load 100k
 * indexes), and sizes and activity from the same walk as `bento du`.
 */
import type { ScopeKind } from '../core/keys.js'
import type { StorageBackend } from '../core/backend/types.js'
import { countStoreDocuments } from '../core/store/count-documents.js'
import { pendingNotes } from './pending.js'
import { toIso, toRef } from './scope-ref.js'
import type { LsResult, LsRow } from './types.js'

export interface LsOptions {
  kinds?: ScopeKind[]
}

/** Distinct documents in a store dir (its commit log included); 0 when there is none, undefined when unreadable. */
export const countDocuments = (storeDir: string): Promise<number | undefined> => countStoreDocuments(storeDir)

/**
 * @example
 * const { scopes } = await listScopeSummaries(backend, { kinds: ['custom'] })
 */
export const listScopeSummaries = async (backend: StorageBackend, options: LsOptions = {}): Promise<LsResult> => {
  // Read-only: an unfinished operation is reported, never finished here (test/reliability/read-only-pending.test.ts).
  const pending = await pendingNotes(backend)
  const scopes: LsRow[] = []
  for await (const summary of backend.scopeSummaries({ documents: true, ...(options.kinds ? { kinds: options.kinds } : {}) })) {
    scopes.push({
      ...toRef(summary.scope),
      documents: summary.documents ?? 0,
      totalBytes: summary.vectorBytes + summary.uploadBytes,
      lastActiveAt: toIso(summary.lastActiveAt),
    })
  }
  scopes.sort((a, b) => (a.kind === b.kind ? (a.dir < b.dir ? -1 : 1) : a.kind === 'shared' ? -1 : b.kind === 'shared' ? 1 : a.kind < b.kind ? -1 : 1))
  return pending.length > 0 ? { scopes, pending } : { scopes }
}
