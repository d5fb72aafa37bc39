/**
 * Search in one of a scope's stores: the one path under `searchScope` (the CLI's
 * `search`, the HTTP search route, chat context) and memory recall.
 *
 * Modes: `hybrid` (the default) fuses the vector ranking with the lexical (BM25)
 * ranking (fusion.ts); `vector` and `lexical` use one of them. In `hybrid` and
 * `lexical` a passage is returned only if it matches: it shares a word with the query,
 * or (hybrid) its vector similarity reaches `minSimilarity`. `vector` returns the
 * nearest neighbours unless the query matches nothing at all. A query nothing
 * matches answers no results and `noMatch`.
 * A store without a lexical index yet (written before it existed) answers by vector
 * and says so (`mode: 'vector'`, `lexicalIndex: false`).
 *
 * The store is used twice rather than once around the embedding: a remote
 * embedder call can take seconds, and a store in use cannot be evicted or
 * cleaned up. An empty store, or a lexical search, never calls the embedder.
 */
import type { StorageBackend, StorePart } from '../backend/types.js'
import { InvalidInputError, UpstreamError } from '../errors.js'
import type { Scope } from '../keys.js'
import type { LexicalSearchHit, SearchHit, StoredChunk } from '../store/types.js'
import { fuseRankings, type Fusion, type FusedHit } from './fusion.js'
import { defaultMinSimilarity } from './similarity-floor.js'

export type SearchMode = 'hybrid' | 'vector' | 'lexical'
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'vector', 'lexical']

export interface SearchStoreOptions {
  /** Default `documents`. */
  part?: StorePart
  /** Default `hybrid`. */
  mode?: SearchMode
  /** How hybrid fuses the two rankings. Default `rrf`. */
  fusion?: Fusion
  /** Drop results scored below this (the mode's own score, see `RankedHit.score`). */
  minScore?: number
  /** The similarity a passage sharing no word with the query needs to count as a match. Default: per embedder (`defaultMinSimilarity`). */
  minSimilarity?: number
  /** Only chunks for which this holds, in every mode; applied inside both index searches (see search-filter.ts). */
  filter?: (chunk: StoredChunk) => boolean
}

export interface RankedHit extends StoredChunk {
  /**
   * Higher is better. `vector`: the similarity (cosine: 1 − cosine distance, −1 to 1).
   * `lexical`: BM25 over the best BM25 this query could reach, 0 to 1.
   * `hybrid`: reciprocal rank fusion rescaled to 0–1 (1: first in both rankings; about 0.5:
   * first in one, absent from the other); with `fusion: 'score'`, 0.5 × similarity (clamped at 0)
   * + 0.5 × lexical, 0 to 1.
   */
  score: number
  /** Vector similarity, when computed for this passage. */
  similarity?: number
  /** Normalized BM25 (0–1) and raw BM25, when the lexical index was used. */
  lexical?: number
  bm25?: number
}

export interface StoreSearch {
  hits: RankedHit[]
  /** The mode that answered: `vector` when a lexical mode was asked of a store without a lexical index. */
  mode: SearchMode
  /** False when the store has no lexical index yet (written before it existed; `bento reindex` builds it). */
  lexicalIndex: boolean
  /** True when no passage matched at all: none shares a word with the query and none reaches the similarity floor. */
  noMatch: boolean
}

const CANDIDATES = 100
const LEXICAL_CANDIDATES = 100

// Hits are built field by field: object rest and spread here cost more per hit than ranking it.
const fromVector = ({ label, documentId, title, text, chunkIndex, metadata, score }: SearchHit): RankedHit =>
  ({ label, documentId, title, text, chunkIndex, metadata, score, similarity: score })

const fromLexical = ({ label, documentId, title, text, chunkIndex, metadata, score, bm25 }: LexicalSearchHit): RankedHit =>
  ({ label, documentId, title, text, chunkIndex, metadata, bm25, score, lexical: score })

const fromFused = ({ label, documentId, title, text, chunkIndex, metadata, score, similarity, lexical, bm25 }: FusedHit): RankedHit =>
  similarity === undefined ? { label, documentId, title, text, chunkIndex, metadata, score, lexical, bm25 } : { label, documentId, title, text, chunkIndex, metadata, score, lexical, bm25, similarity }

const assertOptions = (options: SearchStoreOptions): void => {
  if (options.mode !== undefined && !SEARCH_MODES.includes(options.mode)) throw new InvalidInputError(`mode must be one of ${SEARCH_MODES.join(', ')}.`)
  if (options.fusion !== undefined && options.fusion !== 'score' && options.fusion !== 'rrf') throw new InvalidInputError('fusion must be score or rrf.')
  for (const name of ['minScore', 'minSimilarity'] as const) {
    const value = options[name]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) throw new InvalidInputError(`${name} must be a number.`)
  }
}

/**
 * Up to `limit` matching chunks, best first; none for an empty query, a limit below
 * 1, an empty store, or a query nothing matches (`noMatch`).
 *
 * @example
 * const { hits } = await searchStore(backend, customScope('user-1'), 'refund policy', 5)
 * const { hits: exact } = await searchStore(backend, scope, 'ERR_4411', 5, { mode: 'lexical' })
 * const { hits: memories } = await searchStore(backend, scope, 'favourite language', 3, { part: 'memory' })
 */
export const searchStore = async (backend: StorageBackend, scope: Scope, query: string, limit: number, options: SearchStoreOptions = {}): Promise<StoreSearch> => {
  assertOptions(options)
  const requested = options.mode ?? 'hybrid'
  if (limit < 1 || query.trim().length === 0) return { hits: [], mode: requested, lexicalIndex: true, noMatch: false }
  const part = { part: options.part ?? 'documents' }
  const { live, lexical: lexicalIndex } = await backend.withStore(scope, async (store) => store.stats(), part)
  const mode = lexicalIndex ? requested : 'vector'
  if (live === 0) return { hits: [], mode, lexicalIndex, noMatch: true }
  let vector: Float32Array | undefined
  if (mode !== 'lexical') {
    ;[vector] = await backend.embedder.embed([query])
    if (vector === undefined) throw new UpstreamError('The embedder returned no vector for the query.')
  }
  const floor = options.minSimilarity ?? defaultMinSimilarity(backend.embedder.id)
  const answer = await backend.withStore(scope, async (store): Promise<{ ranked: RankedHit[]; mode: SearchMode } | undefined> => {
    // hnswlib throws when k exceeds the live points, and the count may have moved since.
    const count = store.stats().live
    const wanted = Math.min(count, Math.max(CANDIDATES, limit))
    const filter = options.filter
    let vectorHits = vector === undefined || wanted === 0 ? [] : await store.search(vector, wanted, filter)
    // A filtered graph walk can stop short when matches are rare and far apart: walk again with the
    // whole store as k, which visits every reachable point, so limit results come back when that many match.
    if (vector !== undefined && filter !== undefined && vectorHits.length < Math.min(limit, wanted) && wanted < count) {
      vectorHits = await store.search(vector, count, filter)
    }
    // The nearest neighbours as they are, unless the query matches nothing at all.
    const byVector = async () => {
      const matches = (vectorHits[0]?.score ?? -Infinity) >= floor || ((await store.searchLexical(query, 1, filter))?.length ?? 1) > 0
      return { ranked: matches ? vectorHits.map(fromVector) : [], mode: 'vector' as const }
    }
    if (mode === 'vector') return byVector()
    const lexicalHits = await store.searchLexical(query, Math.max(LEXICAL_CANDIDATES, limit), filter)
    // The file was found damaged at its first use (stats() counted it): answer as a store without one.
    if (lexicalHits === undefined) return vector === undefined ? undefined : byVector()
    if (mode === 'lexical') return { ranked: lexicalHits.map(fromLexical), mode }
    const ranked = fuseRankings(vectorHits, lexicalHits, options.fusion ?? 'rrf')
      .filter((hit) => hit.lexical > 0 || (hit.similarity ?? -Infinity) >= floor)
      .map(fromFused)
    return { ranked, mode }
  }, part)
  // A lexical search of a store whose file turned out damaged: the query needs its vector after all.
  if (answer === undefined) return { ...(await searchStore(backend, scope, query, limit, { ...options, mode: 'vector' })), lexicalIndex: false }
  const { ranked } = answer
  const noMatch = ranked.length === 0
  const minScore = options.minScore
  const kept = minScore === undefined ? ranked : ranked.filter((hit) => hit.score >= minScore)
  const lexicalUsable = lexicalIndex && answer.mode === mode
  return { hits: kept.slice(0, limit), mode: answer.mode, lexicalIndex: lexicalUsable, noMatch }
}
