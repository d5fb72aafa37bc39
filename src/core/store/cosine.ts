/**
 * hnswlib-node normalizes every vector of a cosine index on the way in (addPoint
 * and searchKnn) in float32, and normalizing a vector it already normalized can
 * change its last bits: a stored vector added again (an import, a merge, a
 * compact) would drift a little each time. So a cosine store keeps an
 * inner-product index (the same distance, the same file: hnswlib's cosine space
 * is inner product on normalized vectors) and normalizes here, bit for bit as
 * hnswlib does, except for a vector the store already holds, which goes in as it is.
 * Test: test/core/store/cosine.test.ts.
 */
import type { Space } from './types.js'

/** The hnswlib space of the index object behind a store of `space`. */
export const indexSpaceOf = (space: Space): Space => (space === 'cosine' ? 'ip' : space)

/**
 * hnswlib-node's `normalizePoint`: float32 components, their squares summed in
 * order in float32, a float32 square root, each component divided by it in
 * float32 (Math.fround after each double operation gives the same roundings).
 * A zero (or NaN) norm leaves the vector as it is, as hnswlib does.
 */
export const normalizeLikeHnswlib = (vector: ArrayLike<number>): number[] => {
  const length = vector.length
  const out = new Array<number>(length)
  let sum = 0
  for (let i = 0; i < length; i++) {
    const x = Math.fround(vector[i]!)
    out[i] = x
    sum = Math.fround(sum + Math.fround(x * x))
  }
  const norm = Math.fround(Math.sqrt(Math.abs(sum)))
  if (norm > 0) for (let i = 0; i < length; i++) out[i] = Math.fround(out[i]! / norm)
  return out
}
