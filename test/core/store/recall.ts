/**
 * Recall@k of the store's search against exact brute force, on seeded vectors that
 * look like text embeddings: `latent` is a 32-dimensional latent signal spread over
 * all dimensions plus noise; `clustered` is the benchmark's shape (bench/gen/vectors.js:
 * 256 random unit centres, Gaussian noise of 0.6/√d, queries around other centres). (Isotropic uniform vectors in
 * 384 dimensions have no neighbourhood structure; there HNSW needs ef ≈ 800 for 0.95.)
 */
import path from 'node:path'
import { openStore } from '../../../src/core/store/index.js'
import { makeTempDir, removeDir, seededRandom } from './support.js'

const LATENT = 32

export const embeddingLikeVectors = (count: number, dimension: number, seed: number): Float32Array[] => {
  const random = seededRandom(seed)
  const gauss = () => {
    let sum = 0
    for (let i = 0; i < 6; i++) sum += random() - 0.5
    return sum / Math.sqrt(0.5)
  }
  const basis = Array.from({ length: LATENT }, () => Float32Array.from({ length: dimension }, gauss))
  return Array.from({ length: count }, () => {
    const vector = Float32Array.from({ length: dimension }, () => 0.1 * gauss())
    for (const direction of basis) {
      const weight = gauss() / Math.sqrt(LATENT)
      for (let j = 0; j < dimension; j++) vector[j]! += weight * direction[j]!
    }
    return vector
  })
}

export const clusteredVectors = (count: number, dimension: number, seed: number, clusters = 256, spread = 0.6): Float32Array[] => {
  const random = seededRandom(seed)
  const gauss = () => {
    let sum = 0
    for (let i = 0; i < 12; i++) sum += random()
    return sum - 6
  }
  const unit = (v: Float32Array) => normalize(v)
  const centres = Array.from({ length: clusters }, () => unit(Float32Array.from({ length: dimension }, gauss)))
  const noise = spread / Math.sqrt(dimension)
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * clusters)]!
    return unit(Float32Array.from({ length: dimension }, (_, i) => centre[i]! + gauss() * noise))
  })
}

export type VectorKind = 'latent' | 'clustered'

const normalize = (v: Float32Array) => {
  const norm = Math.hypot(...v)
  return v.map((x) => x / norm)
}

export const measureRecall = async (options: { count: number; dimension: number; queries: number; k: number; efSearch?: number; kind?: VectorKind }): Promise<number> => {
  const { count, dimension, queries, k } = options
  // As in the benchmark, clustered queries are drawn around centres of their own, not the data's:
  // a query between clusters is the hard case (queries from the data's clusters reach 1.0 at ef 100).
  const vectors = options.kind === 'clustered'
    ? [...clusteredVectors(count, dimension, 1234), ...clusteredVectors(queries, dimension, 4321)]
    : embeddingLikeVectors(count + queries, dimension, 1234)
  const data = vectors.slice(0, count)
  const root = await makeTempDir('bento-recall-')
  try {
    const store = await openStore({ dir: path.join(root, 'store'), dimension, efSearch: options.efSearch })
    for (let start = 0; start < count; start += 2000) {
      await store.add(data.slice(start, start + 2000).map((vector, i) => ({ documentId: `d${start + i}`, title: '', text: '', chunkIndex: 0, vector })))
    }
    const units = data.map(normalize)
    let found = 0
    for (const query of vectors.slice(count)) {
      const q = normalize(query)
      const exact = units.map((v, i) => {
        let dot = 0
        for (let j = 0; j < dimension; j++) dot += v[j]! * q[j]!
        return [dot, i] as const
      })
      exact.sort((a, b) => b[0] - a[0])
      const truth = new Set(exact.slice(0, k).map(([, i]) => `d${i}`))
      const hits = await store.search(query, k)
      found += hits.filter((hit) => truth.has(hit.documentId)).length
    }
    await store.close()
    return found / (queries * k)
  } finally {
    await removeDir(root)
  }
}
