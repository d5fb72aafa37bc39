import type { Space } from './types.js'

/**
 * efSearch 100 gives recall@10 ≈ 0.99 (≥ 0.95 asserted) against brute force on 10k × 384 embedding-like
 * vectors (test/core/store/recall.stress.test.ts). ef is never saved by hnswlib; the
 * manifest keeps it.
 */
export const DEFAULT_SPACE: Space = 'cosine'
export const DEFAULT_M = 16
export const DEFAULT_EF_CONSTRUCTION = 200
export const DEFAULT_EF_SEARCH = 100
export const DEFAULT_INITIAL_CAPACITY = 1024
