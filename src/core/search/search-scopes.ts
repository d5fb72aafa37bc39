/**
 * One ranking across several scopes' documents: the caller's own and the ones an
 * operator granted it to read (`readScopes`). Each scope's index is searched as
 * `searchStore` does (the same candidates, filter and similarity floor), the
 * vector candidates are merged by similarity (one embedder, one scale) and the
 * lexical ones by normalized BM25, and the two merged rankings are fused as in one
 * scope (RRF by default). Each hit names the scope it comes from. Only the scopes
 * passed in are opened. Test: test/server/read-scopes.test.ts.
 */
import type { StorageBackend } from '../backend/types.js'
import { InvalidInputError, UpstreamError } from '../errors.js'
import type { Scope } from '../keys.js'
import type { LexicalSearchHit, SearchHit, StoredChunk } from '../store/types.js'
import { fuseRankings } from './fusion.js'
import { SEARCH_MODES, searchStore, type RankedHit, type SearchStoreOptions, type StoreSearch } from './search-store.js'
import { defaultMinSimilarity } from './similarity-floor.js'

const CANDIDATES = 100
/** Labels are uint32 per store: a scope's index times this keeps them apart in one ranking. */
const LABEL_SPACE = 2 ** 32

export interface ScopedHit extends RankedHit {
  scope: Scope
}

export interface ScopesSearch extends Omit<StoreSearch, 'hits'> {
  hits: ScopedHit[]
}

const relabel = <T extends StoredChunk>(hit: T, index: number): T => ({ ...hit, label: index * LABEL_SPACE + hit.label })

/**
 * Up to `limit` matching chunks of `scopes`, best first. One scope gives exactly
 * `searchStore`'s answer (with its scope named).
 */
export const searchScopes = async (backend: StorageBackend, scopes: readonly Scope[], query: string, limit: number, options: Omit<SearchStoreOptions, 'part'> = {}): Promise<ScopesSearch> => {
  if (scopes.length === 1) {
    const single = await searchStore(backend, scopes[0]!, query, limit, options)
    return { ...single, hits: single.hits.map((hit) => ({ ...hit, scope: scopes[0]! })) }
  }
  if (options.mode !== undefined && !SEARCH_MODES.includes(options.mode)) throw new InvalidInputError(`mode must be one of ${SEARCH_MODES.join(', ')}.`)
  const requested = options.mode ?? 'hybrid'
  if (limit < 1 || query.trim().length === 0 || scopes.length === 0) return { hits: [], mode: requested, lexicalIndex: true, noMatch: false }
  const stats = await Promise.all(scopes.map((scope) => backend.withStore(scope, async (store) => store.stats())))
  // One store without a lexical index makes the whole ranking vector-only, as it does for one scope.
  const lexicalIndex = stats.every((stat) => stat.lexical || stat.live === 0)
  const mode = lexicalIndex ? requested : 'vector'
  if (stats.every((stat) => stat.live === 0)) return { hits: [], mode, lexicalIndex, noMatch: true }
  let vector: Float32Array | undefined
  if (mode !== 'lexical') {
    ;[vector] = await backend.embedder.embed([query])
    if (vector === undefined) throw new UpstreamError('The embedder returned no vector for the query.')
  }
  const floor = options.minSimilarity ?? defaultMinSimilarity(backend.embedder.id)
  const filter = options.filter
  const vectorHits: SearchHit[] = []
  const lexicalHits: LexicalSearchHit[] = []
  let lexicalMatched = false
  for (const [index, scope] of scopes.entries()) {
    if (stats[index]!.live === 0) continue
    await backend.withStore(scope, async (store) => {
      const count = store.stats().live
      const wanted = Math.min(count, Math.max(CANDIDATES, limit))
      if (vector !== undefined && wanted > 0) {
        let hits = await store.search(vector, wanted, filter)
        if (filter !== undefined && hits.length < Math.min(limit, wanted) && wanted < count) hits = await store.search(vector, count, filter)
        vectorHits.push(...hits.map((hit) => relabel(hit, index)))
      }
      if (mode !== 'vector') lexicalHits.push(...((await store.searchLexical(query, Math.max(CANDIDATES, limit), filter)) ?? []).map((hit) => relabel(hit, index)))
      // Vector mode answers the nearest passages unless the query matches nothing at all, as searchStore does.
      else if (!lexicalMatched) lexicalMatched = ((await store.searchLexical(query, 1, filter))?.length ?? 1) > 0
    })
  }
  vectorHits.sort((a, b) => b.score - a.score || a.label - b.label)
  lexicalHits.sort((a, b) => b.score - a.score || a.label - b.label)
  let ranked: RankedHit[]
  if (mode === 'vector') {
    ranked = (vectorHits[0]?.score ?? -Infinity) >= floor || lexicalMatched ? vectorHits.map(({ distance: _, ...hit }) => ({ ...hit, similarity: hit.score })) : []
  } else if (mode === 'lexical') {
    ranked = lexicalHits.map(({ matched: _, ...hit }) => ({ ...hit, lexical: hit.score }))
  } else {
    ranked = fuseRankings(vectorHits, lexicalHits, options.fusion ?? 'rrf')
      .filter((hit) => hit.lexical > 0 || (hit.similarity ?? -Infinity) >= floor)
      .map(({ similarity, ...hit }) => (similarity === undefined ? hit : { ...hit, similarity }))
  }
  const noMatch = ranked.length === 0
  const kept = options.minScore === undefined ? ranked : ranked.filter((hit) => hit.score >= options.minScore!)
  return {
    hits: kept.slice(0, limit).map((hit) => ({ ...hit, label: hit.label % LABEL_SPACE, scope: scopes[Math.floor(hit.label / LABEL_SPACE)]! })),
    mode,
    lexicalIndex,
    noMatch,
  }
}
