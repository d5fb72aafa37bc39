/**
 * Deterministic vectors. `uniform` draws points uniformly on the unit sphere
 * (the brief's "random normalized vectors": no structure, the hardest case for
 * HNSW). `clustered` draws around a few hundred random centres, closer to what
 * text embeddings look like; recall is reported on both.
 */
import { createRng, seedFor } from '../lib/rng.js'

const normalize = (v) => {
  let norm = 0
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i]
  norm = Math.sqrt(norm) || 1
  for (let i = 0; i < v.length; i++) v[i] /= norm
  return v
}

export const randomUnitVector = (rng, dimension) => {
  const v = new Float32Array(dimension)
  for (let i = 0; i < dimension; i++) v[i] = rng.gaussian()
  return normalize(v)
}

/**
 * @param {{seed: number, count: number, dimension: number, kind?: 'uniform'|'clustered', clusters?: number, spread?: number}} options
 * @returns {Float32Array[]}
 */
export const generateVectors = ({ seed, count, dimension, kind = 'uniform', clusters = 256, spread = 0.6 }) => {
  const rng = createRng(seedFor(seed, 'vectors', kind, dimension))
  if (kind === 'uniform') return Array.from({ length: count }, () => randomUnitVector(rng, dimension))
  const centres = Array.from({ length: clusters }, () => randomUnitVector(rng, dimension))
  const noise = spread / Math.sqrt(dimension)
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(rng.next() * clusters)]
    const v = new Float32Array(dimension)
    for (let i = 0; i < dimension; i++) v[i] = centre[i] + rng.gaussian() * noise
    return normalize(v)
  })
}

/** Queries: fresh points of the same distribution, never the stored points themselves. */
export const generateQueries = ({ seed, count, dimension, kind = 'uniform', clusters = 256, spread = 0.6 }) =>
  generateVectors({ seed: seedFor(seed, 'queries'), count, dimension, kind, clusters, spread }).slice(0, count)

/** Exact top-k by cosine distance (1 - dot, vectors are unit length): the recall reference. */
export const bruteForceTopK = (vectors, query, k) => {
  const best = []
  for (let label = 0; label < vectors.length; label++) {
    const v = vectors[label]
    let dot = 0
    for (let i = 0; i < v.length; i++) dot += v[i] * query[i]
    const distance = 1 - dot
    if (best.length < k || distance < best[best.length - 1].distance) {
      best.push({ label, distance })
      best.sort((a, b) => a.distance - b.distance)
      if (best.length > k) best.pop()
    }
  }
  return best.map((hit) => hit.label)
}
