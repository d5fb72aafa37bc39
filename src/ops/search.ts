import { InvalidInputError, NotFoundError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { searchStore } from '../core/search.js'
import { compileSearchFilter, type SearchFilter } from '../core/search-filter.js'
import type { SearchResult } from './types.js'

export interface SearchOptions {
  /** Results wanted, 1–100. Default 5. */
  k?: number
  /**
   * A scope that does not exist: `not-found` (default) throws `NotFoundError`,
   * as the CLI wants for a mistyped key; `empty` answers no results, as the
   * server does for a user who has not uploaded anything yet.
   */
  missing?: 'not-found' | 'empty'
  /** Only passages matching it (source, fileType, createdAt range, metadata keys). */
  filter?: SearchFilter
}

export const MAX_K = 100

/**
 * Semantic search in a scope's documents, with the backend's embedder. Each
 * result's metadata carries the chunk's `chunkIndex` beside the stored metadata.
 *
 * @example
 * const { results } = await searchScope(backend, customScope('user-1'), 'store commit', { k: 3 })
 */
export const searchScope = async (backend: StorageBackend, scope: Scope, query: string, options: SearchOptions = {}): Promise<SearchResult> => {
  const k = options.k ?? 5
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InvalidInputError(`k must be a whole number from 1 to ${MAX_K}.`)
  if (typeof query !== 'string' || query.trim().length === 0) throw new InvalidInputError('The query is empty.')
  // With 'empty' no existence check: a missing scope opens as an empty store, which answers
  // nothing and writes nothing (test/ops/add-search.test.ts), and the check cost the server a lookup per request.
  if (options.missing !== 'empty' && !(await backend.scopeExists(scope))) {
    throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
  }
  const hits = await searchStore(backend, scope, query, k, { filter: compileSearchFilter(options.filter) })
  return {
    query,
    results: hits.map((hit) => ({
      id: hit.documentId,
      title: hit.title,
      content: hit.text,
      score: hit.score,
      metadata: { ...hit.metadata, chunkIndex: hit.chunkIndex },
    })),
  }
}
