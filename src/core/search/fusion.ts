/**
 * Fusing a vector ranking and a lexical ranking of one store's passages.
 *
 * - `rrf` (the default): reciprocal rank fusion, Σ 1 / (60 + rank) over the two lists,
 *   rescaled so that first in both is 1. It ignores how far apart the scores are,
 *   which is what makes it robust to two scales that mean different things.
 * - `score`: a calibrated score, `0.5 × similarity + 0.5 × lexical`, both from 0 to 1
 *   (similarity clamped at 0; lexical is BM25 over the best BM25 the query could
 *   reach): 1 is a passage identical in vector terms that also holds every query term.
 * RRF ranked better on both measured sets (docs/BENCHMARKS.md, retrieval quality).
 */
import type { LexicalSearchHit, SearchHit, StoredChunk } from '../store/types.js'

export type Fusion = 'score' | 'rrf'

export const RRF_K = 60
export const VECTOR_WEIGHT = 0.5

export interface FusedHit extends StoredChunk {
  score: number
  /** Vector similarity when the passage was among the vector candidates. */
  similarity: number | undefined
  /** Normalized BM25 (0 to 1) when it shares a term with the query, else 0. */
  lexical: number
  bm25: number
}

interface Candidate {
  chunk: StoredChunk
  similarity?: number
  vectorRank?: number
  lexical?: LexicalSearchHit
  lexicalRank?: number
}

const collect = (vector: readonly SearchHit[], lexical: readonly LexicalSearchHit[]): Map<number, Candidate> => {
  const candidates = new Map<number, Candidate>()
  vector.forEach((hit, rank) => candidates.set(hit.label, { chunk: hit, similarity: hit.score, vectorRank: rank }))
  lexical.forEach((hit, rank) => {
    const known = candidates.get(hit.label)
    if (known) Object.assign(known, { lexical: hit, lexicalRank: rank })
    else candidates.set(hit.label, { chunk: hit, lexical: hit, lexicalRank: rank })
  })
  return candidates
}

const clamp01 = (value: number): number => (value < 0 ? 0 : value > 1 ? 1 : value)

const fusedScore = (candidate: Candidate, fusion: Fusion): number => {
  if (fusion === 'rrf') {
    const vector = candidate.vectorRank === undefined ? 0 : 1 / (RRF_K + 1 + candidate.vectorRank)
    const lexical = candidate.lexicalRank === undefined ? 0 : 1 / (RRF_K + 1 + candidate.lexicalRank)
    return ((vector + lexical) * (RRF_K + 1)) / 2
  }
  return VECTOR_WEIGHT * clamp01(candidate.similarity ?? 0) + (1 - VECTOR_WEIGHT) * (candidate.lexical?.score ?? 0)
}

/** Every candidate of either list, best fused score first (ties: the better vector rank, then label). */
export const fuseRankings = (vector: readonly SearchHit[], lexical: readonly LexicalSearchHit[], fusion: Fusion): FusedHit[] => {
  const fused: Array<FusedHit & { order: number }> = []
  for (const candidate of collect(vector, lexical).values()) {
    const { label, documentId, title, text, chunkIndex, metadata } = candidate.chunk
    fused.push({
      label, documentId, title, text, chunkIndex, metadata,
      score: fusedScore(candidate, fusion),
      similarity: candidate.similarity,
      lexical: candidate.lexical?.score ?? 0,
      bm25: candidate.lexical?.bm25 ?? 0,
      order: candidate.vectorRank ?? Number.MAX_SAFE_INTEGER,
    })
  }
  fused.sort((a, b) => b.score - a.score || a.order - b.order || a.label - b.label)
  return fused.map(({ order: _, ...hit }) => hit)
}
