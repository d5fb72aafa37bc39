/**
 * Passage search in one scope's documents, shared by `/api/documents/search`
 * and chat context: `searchScope` where a scope with nothing uploaded yet, a
 * chat asking for no passages or an empty question simply finds nothing. Hybrid
 * by default; the score's range per mode is in docs/HTTP-API.md ("Scores").
 */
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { SearchMode } from '../core/search/index.js'
import type { SearchFilter } from '../core/search-filter.js'
import { searchScope } from '../ops/search.js'
import type { SearchResult, SearchResultRow } from '../ops/types.js'

export interface PassageSearchOptions {
  mode?: SearchMode
  minScore?: number
  filter?: SearchFilter
}

/** The HTTP search route's answer: results plus `mode`, `lexicalIndex` and `noMatch`. */
export const searchDocuments = async (backend: StorageBackend, scope: Scope, query: string, limit: number, options: PassageSearchOptions = {}): Promise<SearchResult> => {
  if (limit < 1 || query.trim().length === 0) return { query, mode: options.mode ?? 'hybrid', lexicalIndex: true, noMatch: false, results: [] }
  return searchScope(backend, scope, query, { k: limit, missing: 'empty', mode: options.mode, minScore: options.minScore, filter: options.filter })
}

/** Chat context: only passages that match the question (hybrid), never the nearest of nothing. */
export const searchPassages = async (backend: StorageBackend, scope: Scope, query: string, limit: number, options: PassageSearchOptions = {}): Promise<SearchResultRow[]> =>
  (await searchDocuments(backend, scope, query, limit, options)).results
