/**
 * Passage search in one scope's documents, shared by `/api/documents/search`
 * and chat context: `searchScope` where a scope with nothing uploaded yet, a
 * chat asking for no passages or an empty question simply finds nothing. The
 * score is the store's similarity: for the cosine space Bento uses,
 * `1 - cosine distance`, from -1 to 1, higher is closer.
 */
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { SearchFilter } from '../core/search-filter.js'
import { searchScope } from '../ops/search.js'
import type { SearchResultRow } from '../ops/types.js'

export const searchPassages = async (backend: StorageBackend, scope: Scope, query: string, limit: number, filter?: SearchFilter): Promise<SearchResultRow[]> => {
  if (limit < 1 || query.trim().length === 0) return []
  return (await searchScope(backend, scope, query, { k: limit, missing: 'empty', ...(filter ? { filter } : {}) })).results
}
