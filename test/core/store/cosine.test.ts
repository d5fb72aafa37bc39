/**
 * Cosine stores normalize in JS exactly as hnswlib-node would, so results and
 * files are unchanged, and a stored vector added again stays bit-identical.
 */
import hnswlib from 'hnswlib-node'
import { describe, expect, it } from 'vitest'
import { normalizeLikeHnswlib } from '../../../src/core/store/cosine.js'
import { openStore } from '../../../src/core/store/index.js'
import { useTempDirs } from '../../helpers/temp-dir.js'

const tempDir = useTempDirs()

/** A deterministic pseudo-random vector (xorshift), components in [-1, 1). */
const vectorOf = (seed: number, dimension: number): number[] => {
  let x = seed * 2654435761 || 1
  return Array.from({ length: dimension }, () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return ((x >>> 0) / 2 ** 32) * 2 - 1
  })
}

const bits = (vector: ArrayLike<number>) => Buffer.from(Float32Array.from(vector).buffer).toString('hex')

describe('normalizeLikeHnswlib', () => {
  it.each([3, 64, 384, 1536])('is bit for bit what a cosine hnswlib index stores (dimension %i)', (dimension) => {
    const index = new hnswlib.HierarchicalNSW('cosine', dimension)
    index.initIndex(200)
    for (let i = 0; i < 200; i++) {
      const vector = vectorOf(i + 1, dimension)
      index.addPoint(vector, i)
      expect(bits(normalizeLikeHnswlib(vector)), `vector ${i}`).toBe(bits(index.getPoint(i)))
    }
  })

  it('leaves a zero vector as it is, as hnswlib does', () => {
    expect(normalizeLikeHnswlib([0, 0, 0])).toEqual([0, 0, 0])
  })
})

describe('a cosine store', () => {
  it('adds a stored vector back bit for bit (a normalized vector normalized again drifts)', async () => {
    const dimension = 384
    const source = await openStore({ dir: await tempDir(), dimension })
    await source.add(Array.from({ length: 300 }, (_, i) => ({ documentId: `doc-${i}`, title: 't', text: `chunk ${i}`, chunkIndex: 0, vector: vectorOf(i + 7, dimension) })))
    const exported = await source.exportChunks()
    // The drift this guards against: hnswlib re-normalizing its own output changes some vectors.
    const drifted = exported.filter((chunk) => bits(normalizeLikeHnswlib(chunk.vector)) !== bits(chunk.vector))
    expect(drifted.length).toBeGreaterThan(0)
    const target = await openStore({ dir: await tempDir(), dimension })
    await target.add(exported.map((chunk) => ({ ...chunk, stored: true })))
    expect((await target.exportChunks()).map((chunk) => bits(chunk.vector))).toEqual(exported.map((chunk) => bits(chunk.vector)))
    const query = vectorOf(99, dimension)
    expect((await target.search(query, 10)).map((hit) => [hit.documentId, hit.distance])).toEqual((await source.search(query, 10)).map((hit) => [hit.documentId, hit.distance]))
    await source.close()
    await target.close()
  })
})
