import { InvalidInputError, NotFoundError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { SearchResult } from './types.js'

export interface SearchOptions {
  /** Results wanted, 1–100. Default 5. */
  k?: number
}

export const MAX_K = 100

/**
 * Semantic search in a scope's documents, with the backend's embedder.
 *
 * @example
 * const { results } = await searchScope(backend, customScope('user-1'), 'store commit', { k: 3 })
 */
export const searchScope = async (backend: StorageBackend, scope: Scope, query: string, options: SearchOptions = {}): Promise<SearchResult> => {
  const k = options.k ?? 5
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InvalidInputError(`k must be a whole number from 1 to ${MAX_K}.`)
  if (typeof query !== 'string' || query.trim().length === 0) throw new InvalidInputError('The query is empty.')
  if (!(await backend.scopeExists(scope))) throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
  const [vector] = await backend.embedder.embed([query])
  if (vector === undefined) throw new InvalidInputError('The embedder returned no vector for the query.')
  const hits = await backend.withStore(scope, async (store) => {
    // hnswlib throws when k exceeds the live points.
    const limit = Math.min(k, store.stats().live)
    return limit === 0 ? [] : store.search(vector, limit)
  })
  return {
    query,
    results: hits.map((hit) => ({ id: hit.documentId, title: hit.title, content: hit.text, score: hit.score, metadata: hit.metadata })),
  }
}
