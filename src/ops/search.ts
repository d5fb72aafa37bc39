import { EmbedderMismatchError, InvalidInputError, NotFoundError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { SEARCH_MODES, searchStore, type SearchMode } from '../core/search/index.js'
import type { Fusion } from '../core/search/index.js'
import type { SearchFilter } from '../core/search-filter.js'
import { compileSearchFilter } from '../core/search-filter-match.js'
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
  /** `hybrid` (default), `vector` or `lexical`. */
  mode?: SearchMode
  /** Drop results scored below this, on the mode's scale (docs/HTTP-API.md, "Scores"). */
  minScore?: number
  /** How hybrid fuses its two rankings: `score` (default) or `rrf`. */
  fusion?: Fusion
  /** The similarity a passage sharing no word with the query needs to count as a match (default per embedder). */
  minSimilarity?: number
  /** Only passages matching it (source, fileType, createdAt range, metadata keys), in every mode. */
  filter?: SearchFilter
}

export const MAX_K = 100

/**
 * Search in a scope's documents: hybrid (shared words and vector similarity, fused)
 * by default, with the backend's embedder. Each result's metadata carries the
 * chunk's `chunkIndex` beside the stored metadata. `noMatch` says the query matched
 * nothing; `mode` is `vector` for a store without a lexical index yet.
 *
 * @example
 * const { results } = await searchScope(backend, customScope('user-1'), 'store commit', { k: 3 })
 * const exact = await searchScope(backend, scope, 'ERR_4411', { mode: 'lexical', minScore: 0.2 })
 */
export const searchScope = async (backend: StorageBackend, scope: Scope, query: string, options: SearchOptions = {}): Promise<SearchResult> => {
  const k = options.k ?? 5
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InvalidInputError(`k must be a whole number from 1 to ${MAX_K}.`)
  if (typeof query !== 'string' || query.trim().length === 0) throw new InvalidInputError('The query is empty.')
  if (options.mode !== undefined && !SEARCH_MODES.includes(options.mode)) throw new InvalidInputError(`mode must be one of ${SEARCH_MODES.join(', ')}.`)
  // With 'empty' no existence check: a missing scope opens as an empty store, which answers
  // nothing and writes nothing (test/ops/add-search.test.ts), and the check cost the server a lookup per request.
  if (options.missing !== 'empty' && !(await backend.scopeExists(scope))) {
    throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
  }
  const { hits, mode, lexicalIndex, noMatch } = await searchStore(backend, scope, query, k, { mode: options.mode, minScore: options.minScore, fusion: options.fusion, minSimilarity: options.minSimilarity, filter: compileSearchFilter(options.filter) })
    .catch((error: unknown) => {
      // The store names the fix with a placeholder: it does not know its scope's key.
      throw error instanceof EmbedderMismatchError ? new EmbedderMismatchError(error.message.replace('<key>', scope.key)) : error
    })
  return {
    query,
    mode,
    lexicalIndex,
    noMatch,
    results: hits.map((hit) => ({
      id: hit.documentId,
      title: hit.title,
      content: hit.text,
      score: hit.score,
      metadata: { ...hit.metadata, chunkIndex: hit.chunkIndex },
    })),
  }
}
