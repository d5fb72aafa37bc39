import type { Space } from './types.js'

/**
 * efSearch 250: the first value whose recall@10 on clustered, embedding-like vectors
 * keeps a clear margin over 0.95 (the sweep and its figures: docs/BENCHMARKS.md;
 * asserted in test/core/store/recall.stress.test.ts). Data with no neighbourhood
 * structure needs a higher `efSearch`. ef is never saved by hnswlib; the manifest
 * keeps it, so stores created with an older default keep theirs.
 */
export const DEFAULT_SPACE: Space = 'cosine'
export const DEFAULT_M = 16
export const DEFAULT_EF_CONSTRUCTION = 200
export const DEFAULT_EF_SEARCH = 250
export const DEFAULT_INITIAL_CAPACITY = 1024
