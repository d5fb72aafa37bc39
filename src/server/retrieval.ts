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
import { searchScopes } from '../core/search/search-scopes.js'
import { compileSearchFilter } from '../core/search-filter.js'
import type { SearchResult, SearchResultRow } from '../ops/types.js'

export interface PassageSearchOptions {
  mode?: SearchMode
  minScore?: number
  filter?: SearchFilter
  /** Scopes granted beside `scope` (readScopes): one ranking across all, each hit naming its scope. */
  readScopes?: readonly Scope[]
}

/** The HTTP search route's answer: results plus `mode`, `lexicalIndex` and `noMatch`. */
export const searchDocuments = async (backend: StorageBackend, scope: Scope, query: string, limit: number, options: PassageSearchOptions = {}): Promise<SearchResult> => {
  if (limit < 1 || query.trim().length === 0) return { query, mode: options.mode ?? 'hybrid', lexicalIndex: true, noMatch: false, results: [] }
  if (options.readScopes !== undefined && options.readScopes.length > 0) {
    const { hits, mode, lexicalIndex, noMatch } = await searchScopes(backend, [scope, ...options.readScopes], query, limit, { mode: options.mode, minScore: options.minScore, filter: compileSearchFilter(options.filter) })
    return {
      query, mode, lexicalIndex, noMatch,
      results: hits.map((hit) => ({ id: hit.documentId, title: hit.title, content: hit.text, score: hit.score, metadata: { ...hit.metadata, chunkIndex: hit.chunkIndex }, scope: hit.scope.key })),
    }
  }
  return searchScope(backend, scope, query, { k: limit, missing: 'empty', mode: options.mode, minScore: options.minScore, filter: options.filter })
}

/** Chat context: only passages that match the question (hybrid), never the nearest of nothing. */
export const searchPassages = async (backend: StorageBackend, scope: Scope, query: string, limit: number, options: PassageSearchOptions = {}): Promise<SearchResultRow[]> =>
  (await searchDocuments(backend, scope, query, limit, options)).results
