/**
 * 32-bit FNV-1a over a string's UTF-16 code units, plus murmur3's finalizer to
 * derive an independent sign bit. Pure JS so the local embedder gives the same
 * vectors on every platform and Node version.
 */
const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

export const hashFnv1a = (text: string): number => {
  let hash = FNV_OFFSET
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, FNV_PRIME)
  }
  return hash >>> 0
}

/** murmur3 fmix32: spreads every input bit over the output, so its top bit is usable as a sign. */
export const mixHash = (hash: number): number => {
  let h = hash ^ (hash >>> 16)
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Adds `weight` to the bucket of `feature` with a hash-chosen sign (the "hashing trick"). */
export const addHashedFeature = (vector: Float32Array, feature: string, weight: number): void => {
  const hash = hashFnv1a(feature)
  const bucket = hash % vector.length
  const sign = mixHash(hash ^ 0x9e3779b9) >>> 31 === 0 ? 1 : -1
  vector[bucket] = (vector[bucket] ?? 0) + sign * weight
}
