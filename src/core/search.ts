/**
 * Semantic search in one of a scope's stores: the one path under `searchScope`
 * (the CLI's `search`, the HTTP search route and chat context) and memory recall.
 *
 * The store is used twice rather than once around the embedding: a remote
 * embedder call can take seconds, and a store in use cannot be evicted or
 * cleaned up. An empty store answers without calling the embedder at all.
 */
import type { StorageBackend, StorePart } from './backend/types.js'
import { UpstreamError } from './errors.js'
import type { Scope } from './keys.js'
import type { SearchHit } from './store/types.js'

export interface SearchStoreOptions {
  /** Default `documents`. */
  part?: StorePart
}

/**
 * Up to `limit` chunks nearest to `query`, best first; none for an empty query,
 * a limit below 1, or an empty store.
 *
 * @example
 * const hits = await searchStore(backend, customScope('user-1'), 'refund policy', 5)
 * const memories = await searchStore(backend, scope, 'favourite language', 3, { part: 'memory' })
 */
export const searchStore = async (backend: StorageBackend, scope: Scope, query: string, limit: number, options: SearchStoreOptions = {}): Promise<SearchHit[]> => {
  if (limit < 1 || query.trim().length === 0) return []
  const part = { part: options.part ?? 'documents' }
  const live = await backend.withStore(scope, async (store) => store.stats().live, part)
  if (live === 0) return []
  const [vector] = await backend.embedder.embed([query])
  if (vector === undefined) throw new UpstreamError('The embedder returned no vector for the query.')
  return backend.withStore(scope, async (store) => {
    // hnswlib throws when k exceeds the live points, and the count may have moved since.
    const k = Math.min(limit, store.stats().live)
    return k === 0 ? [] : store.search(vector, k)
  }, part)
}
