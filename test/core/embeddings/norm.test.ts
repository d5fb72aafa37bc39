import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../../src/core/embeddings/local.js'
import { euclideanNorm } from '../../../src/core/embeddings/norm.js'

/** A small deterministic generator (mulberry32), so a failure names a reproducible vector. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe('euclideanNorm', () => {
  it('equals Math.hypot bit for bit on dense, sparse, tiny and huge vectors', () => {
    const next = random(7)
    for (let trial = 0; trial < 500; trial++) {
      const dimension = [1, 3, 64, 384, 1536][trial % 5]!
      const scale = [1, 1e-30, 1e30, 0.001][trial % 4]!
      const sparse = trial % 3 === 0
      const vector = new Float32Array(dimension).map(() => (sparse && next() < 0.9 ? 0 : (next() - 0.5) * scale))
      expect(Object.is(euclideanNorm(vector), Math.hypot(...vector)), `trial ${trial}`).toBe(true)
      const doubles = Array.from(vector, (value) => value * (1 + next()))
      expect(Object.is(euclideanNorm(doubles), Math.hypot(...doubles)), `trial ${trial} (doubles)`).toBe(true)
    }
  })

  it('follows Math.hypot at the edges: empty and zero give 0, Infinity wins over NaN, NaN otherwise', () => {
    for (const vector of [[], [0, 0], [-0], [3, Infinity, NaN], [-Infinity], [1, NaN], [-3, 4]]) {
      expect(Object.is(euclideanNorm(vector), Math.hypot(...vector)), JSON.stringify(vector)).toBe(true)
    }
  })

  it('leaves the local embedder vectors unchanged (digests taken with Math.hypot before the switch)', async () => {
    const texts = ['Four score and seven years ago our fathers brought forth', 'unalienable Rights', '', 'ｊｕｓｔｉｃｅ']
    const digests: Record<number, string> = {
      384: 'a72064a70591a593dc8f32c1d34ec150110b7a1bb7b5e1ca912ce92990f912d9',
      64: 'a1dbfa4e78c1e23c6f4182de2d79c8f14e6fa9feb4ac3e30b3a0cabfb9db371d',
    }
    for (const [dimension, digest] of Object.entries(digests)) {
      const hash = createHash('sha256')
      for (const vector of await createLocalEmbedder({ dimension: Number(dimension) }).embed(texts)) {
        hash.update(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength))
      }
      expect(hash.digest('hex'), `dimension ${dimension}`).toBe(digest)
    }
  })
})
