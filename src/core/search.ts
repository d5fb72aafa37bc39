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
import type { SearchHit, StoredChunk } from './store/types.js'

export interface SearchStoreOptions {
  /** Default `documents`. */
  part?: StorePart
  /** Only chunks for which this holds; applied inside the index search. */
  filter?: (chunk: StoredChunk) => boolean
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
    const live = store.stats().live
    const k = Math.min(limit, live)
    if (k === 0) return []
    const hits = await store.search(vector, k, options.filter)
    // A filtered graph walk can stop short when matches are rare and far apart: ask again with the
    // whole store as k, which visits every reachable point, so limit results come back when that many match.
    if (options.filter === undefined || hits.length >= k || k === live) return hits
    return (await store.search(vector, live, options.filter)).slice(0, k)
  }, part)
}
