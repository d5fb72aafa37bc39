/**
 * The vector similarity from which a passage that shares no word with the query
 * still counts as a match. It depends on the embedder: the offline hashing
 * embedder gives unrelated texts similarities near 0 (hash collisions), API
 * embedders a model-specific band. Measured values: docs/BENCHMARKS.md.
 */
import { LOCAL_EMBEDDER_VERSION } from '../embeddings/local.js'

/**
 * Offline embedder (`local-hash-v1`): it is itself lexical, so a passage sharing no word
 * with the query is only reached through character trigrams and hash collisions, which
 * gave nonsense queries up to ~0.29 on a 5,000-document corpus.
 */
export const LOCAL_MIN_SIMILARITY = 0.4
/** API embedders (OpenAI text-embedding-3 and alike): unrelated passages fall below it. */
export const API_MIN_SIMILARITY = 0.3

export const defaultMinSimilarity = (embedderId: string): number =>
  embedderId.startsWith(`${LOCAL_EMBEDDER_VERSION}:`) ? LOCAL_MIN_SIMILARITY : API_MIN_SIMILARITY
