import { describe, expect, it } from 'vitest'
import { HNSW_FIXED_BYTES } from '../../../src/core/store/footprint.js'
import { recyclerCounts } from '../../../src/core/store/index-recycler.js'
import { openStore } from '../../../src/core/store/index.js'
import type { Space } from '../../../src/core/store/types.js'
import { chunk, randomVector, seededRandom, useStoreDir } from './support.js'

const paths = useStoreDir()
const DIM = 24

const fill = async (space: Space, count: number, seed = 7) => {
  const random = seededRandom(seed)
  const store = await openStore({ dir: paths.dir, dimension: DIM, space, appendLog: false })
  await store.add(Array.from({ length: count }, (_, i) => chunk(`doc-${i % 13}`, i, randomVector(random, DIM))))
  await store.close()
  return random
}

const taken = () => {
  const { created, reused } = recyclerCounts()
  return created + reused
}

describe('small stores: a 64-chunk store held a 2.6 MB hnswlib index open just to be searched', () => {
  for (const space of ['cosine', 'l2', 'ip'] as const) {
    it(`answers ${space} searches exactly like hnswlib, with no hnswlib object`, async () => {
      const random = await fill(space, 200)
      const before = taken()
      const flat = await openStore({ dir: paths.dir, dimension: DIM })
      const queries = Array.from({ length: 10 }, () => randomVector(random, DIM))
      const flatHits = await Promise.all(queries.map((q) => flat.search(q, 10)))
      expect(taken()).toBe(before)
      const hnsw = await openStore({ dir: paths.dir, dimension: DIM, exactSearchMaxPoints: 0 })
      const hnswHits = await Promise.all(queries.map((q) => hnsw.search(q, 10)))
      // 200 points at ef 250: hnswlib visits the whole graph, so both are exact.
      for (let i = 0; i < queries.length; i++) {
        expect(flatHits[i]!.map((hit) => hit.label)).toEqual(hnswHits[i]!.map((hit) => hit.label))
        flatHits[i]!.forEach((hit, j) => expect(hit.score).toBeCloseTo(hnswHits[i]![j]!.score, 5))
      }
      await flat.close()
      await hnsw.close()
    })
  }

  it('honours a filter and skips deleted points', async () => {
    await fill('cosine', 50)
    const store = await openStore({ dir: paths.dir, dimension: DIM })
    const target = (await store.exportChunks()).find((c) => c.documentId === 'doc-3')!
    expect((await store.search(target.vector, 1))[0]!.documentId).toBe('doc-3')
    const others = await store.search(target.vector, 50, (c) => c.documentId !== 'doc-3')
    expect(others.length).toBeGreaterThan(0)
    expect(others.some((hit) => hit.documentId === 'doc-3')).toBe(false)
    await store.deleteDocument('doc-3')
    expect((await store.search(target.vector, 50)).some((hit) => hit.documentId === 'doc-3')).toBe(false)
    await store.close()
  })

  it('writes hnswlib files on every commit, and switches to hnswlib once it outgrows the limit', async () => {
    const random = seededRandom(3)
    const store = await openStore({ dir: paths.dir, dimension: DIM, exactSearchMaxPoints: 4, appendLog: false })
    await store.add([0, 1, 2].map((i) => chunk('doc-a', i, randomVector(random, DIM))))
    const small = store.footprint()
    expect(small).toBeLessThan(HNSW_FIXED_BYTES / 4)
    await store.add([3, 4].map((i) => chunk('doc-b', i, randomVector(random, DIM))))
    expect(store.footprint()).toBeGreaterThan(HNSW_FIXED_BYTES)
    await store.deleteDocument('doc-b')
    await store.compact()
    expect(store.footprint()).toBeLessThan(HNSW_FIXED_BYTES / 4)
    const vectors = await store.exportChunks()
    await store.close()
    // The files on disk are hnswlib's at each step: reopened through hnswlib they hold the same points.
    const reopened = await openStore({ dir: paths.dir, dimension: DIM, exactSearchMaxPoints: 0 })
    expect(reopened.stats()).toMatchObject({ live: 3, deleted: 0 })
    for (const c of vectors) expect((await reopened.search(c.vector, 1))[0]!.chunkIndex).toBe(c.chunkIndex)
    await reopened.close()
  })

  it('costs near the bytes it read: a 100-chunk store is charged well under an hnswlib index', async () => {
    await fill('cosine', 100)
    const store = await openStore({ dir: paths.dir, dimension: DIM })
    expect(store.footprint()).toBeLessThan(HNSW_FIXED_BYTES / 8)
    const hnsw = await openStore({ dir: paths.dir, dimension: DIM, exactSearchMaxPoints: 0 })
    expect(hnsw.footprint()).toBeGreaterThan(HNSW_FIXED_BYTES)
    await store.close()
    await hnsw.close()
  })
})
