/**
 * Passage search in one scope's documents, shared by `/api/documents/search`
 * and chat context. The score is the store's similarity: for the cosine space
 * Bento uses, `1 - cosine distance`, from -1 to 1, higher is closer.
 */
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { SearchResultRow } from '../ops/types.js'

export const searchPassages = async (backend: StorageBackend, scope: Scope, query: string, limit: number): Promise<SearchResultRow[]> => {
  if (limit <= 0 || query.trim().length === 0) return []
  const live = await backend.withStore(scope, async (store) => store.stats().live)
  if (live === 0) return []
  const [vector] = await backend.embedder.embed([query])
  if (vector === undefined) return []
  return backend.withStore(scope, async (store) => {
    // hnswlib throws when k exceeds the live points; the count may have moved since.
    const k = Math.min(limit, store.stats().live)
    if (k === 0) return []
    const hits = await store.search(vector, k)
    return hits.map((hit) => ({
      id: hit.documentId,
      title: hit.title,
      content: hit.text,
      score: hit.score,
      metadata: { ...hit.metadata, chunkIndex: hit.chunkIndex },
    }))
  })
}
