import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_EF_SEARCH, openStore } from '../../../src/core/store/index.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import { axis, chunk, makeTempDir, randomVector, removeDir, seededRandom } from './support.js'

const DIM = 8
let dir: string
const opened: VectorStore[] = []
const open = async (options: Partial<Parameters<typeof openStore>[0]> = {}) => {
  const store = await openStore({ dir, dimension: DIM, embedderId: 'test:8', ...options })
  opened.push(store)
  return store
}

beforeEach(async () => {
  dir = path.join(await makeTempDir(), 'vectors')
})
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close()
  await removeDir(path.dirname(dir))
})

describe('a new store', () => {
  it('writes nothing until its first change and answers empty', async () => {
    const store = await open()
    expect(store.stats()).toMatchObject({ live: 0, deleted: 0, dimension: DIM, space: 'cosine', embedderId: 'test:8', efSearch: DEFAULT_EF_SEARCH, revision: 0 })
    expect(await store.search(axis(DIM, 0), 5)).toEqual([])
    expect(store.listDocuments()).toEqual([])
    expect(await store.exportChunks()).toEqual([])
    await store.deleteAll()
    expect(await store.deleteDocument('nope')).toBe(0)
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses to open a missing store when create is false', async () => {
    await expect(openStore({ dir, create: false })).rejects.toMatchObject({ code: 'not_found' })
  })

  it('rejects bad options', async () => {
    await expect(openStore({ dir, dimension: 0 })).rejects.toMatchObject({ code: 'invalid_options' })
    await expect(openStore({ dir, m: 1 })).rejects.toMatchObject({ code: 'invalid_options' })
    await expect(openStore({ dir, space: 'dot' as never })).rejects.toMatchObject({ code: 'invalid_options' })
  })
})

describe('add, search, list', () => {
  it('adds durably, finds the nearest chunk with its score, and lists documents', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0), { metadata: { source: 'a.txt' } }), chunk('a', 1, axis(DIM, 1)), chunk('b', 0, axis(DIM, 2))])
    const hits = await store.search(axis(DIM, 1, 3), 2)
    expect(hits[0]).toMatchObject({ documentId: 'a', chunkIndex: 1, text: 'text a#1', title: 'Title of a' })
    expect(hits[0]!.score).toBeCloseTo(1, 5)
    expect(hits[0]!.distance).toBeCloseTo(0, 5)
    expect(hits[1]!.score).toBeCloseTo(0, 5)
    expect(store.listDocuments()).toEqual([
      { id: 'a', title: 'Title of a', chunks: 2, bytes: 16, metadata: { source: 'a.txt' } },
      { id: 'b', title: 'Title of b', chunks: 1, bytes: 8, metadata: {} },
    ])
    expect(store.stats()).toMatchObject({ live: 3, deleted: 0, revision: 1 })
    const files = (await readdir(dir)).sort()
    expect(files).toEqual(['args.json', 'bento-catalog.json', 'bento-lexical.bin', 'bento.json', 'docstore.json', 'hnswlib.index'])

    const reopened = await open()
    expect(reopened.stats()).toMatchObject({ live: 3, revision: 1, efSearch: DEFAULT_EF_SEARCH })
    expect((await reopened.search(axis(DIM, 2), 1))[0]).toMatchObject({ documentId: 'b' })
    expect(reopened.listDocuments()).toEqual(store.listDocuments())
  })

  it('clamps k to the live count and applies a filter', async () => {
    const store = await open()
    await store.add([0, 1, 2, 3].map((i) => chunk(`d${i}`, 0, axis(DIM, i))))
    expect(await store.search(axis(DIM, 0), 100)).toHaveLength(4)
    expect(await store.search(axis(DIM, 0), 0)).toEqual([])
    const filtered = await store.search(axis(DIM, 0), 4, (c) => c.documentId !== 'd0')
    expect(filtered.map((h) => h.documentId).sort()).toEqual(['d1', 'd2', 'd3'])
    await expect(store.search(axis(DIM, 0), 2, () => { throw new Error('boom') })).rejects.toThrow('boom')
  })

  it('scores l2 as 1/(1+d) and ip as 1-d', async () => {
    const l2 = await open({ space: 'l2', dir: path.join(dir, 'l2') })
    await l2.add([chunk('x', 0, axis(DIM, 0, 2))])
    const [hit] = await l2.search(axis(DIM, 0, 0), 1)
    expect(hit!.distance).toBeCloseTo(4, 5)
    expect(hit!.score).toBeCloseTo(1 / 5, 5)
    const ip = await open({ space: 'ip', dir: path.join(dir, 'ip') })
    await ip.add([chunk('x', 0, axis(DIM, 0, 0.5))])
    const [ipHit] = await ip.search(axis(DIM, 0, 1), 1)
    expect(ipHit!.score).toBeCloseTo(0.5, 5)
  })

  it('grows capacity by doubling and keeps every point', async () => {
    const store = await open({ initialCapacity: 2 })
    const random = seededRandom(1)
    for (let batch = 0; batch < 5; batch++) {
      await store.add(Array.from({ length: 3 }, (_, i) => chunk(`doc${batch}`, i, randomVector(random, DIM))))
    }
    // Writes after the first append to the log; folding it into the index grows the index.
    await store.compactLog()
    expect(store.stats()).toMatchObject({ live: 15, capacity: 16 })
    const reopened = await open()
    expect(reopened.stats()).toMatchObject({ live: 15, capacity: 16 })
    expect(await reopened.search(randomVector(random, DIM), 15)).toHaveLength(15)
  })

  it('rejects wrong vectors and malformed chunks with InvalidInputError, changing nothing', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    await expect(store.add([chunk('b', 0, [1, 2, 3])])).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(store.add([chunk('b', 0, axis(DIM, 1)), chunk('c', 0, axis(DIM + 1, 1))])).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(store.add([chunk('b', 0, [NaN, 0, 0, 0, 0, 0, 0, 0])])).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(store.add([chunk('', 0, axis(DIM, 1))])).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(store.search([1, 2], 1)).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(store.search(axis(DIM, 0), -1)).rejects.toMatchObject({ code: 'invalid_input' })
    expect(store.stats()).toMatchObject({ live: 1, revision: 1 })
  })

  it('infers the dimension of a store created without one', async () => {
    const store = await open({ dimension: undefined, embedderId: undefined })
    expect(store.stats().dimension).toBeUndefined()
    await store.add([chunk('a', 0, [1, 0, 0])])
    expect(store.stats().dimension).toBe(3)
    await expect(store.add([chunk('b', 0, [1, 0])])).rejects.toMatchObject({ code: 'invalid_input' })
  })
})

describe('delete, deleteAll, compact, export', () => {
  it('deletes a document: gone from search, list and the docstore; counted as deleted until compact', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0)), chunk('a', 1, axis(DIM, 1)), chunk('b', 0, axis(DIM, 2))])
    expect(await store.deleteDocument('a')).toBe(2)
    expect(await store.deleteDocument('a')).toBe(0)
    expect(store.stats()).toMatchObject({ live: 1, deleted: 2 })
    expect((await store.search(axis(DIM, 0), 5)).map((h) => h.documentId)).toEqual(['b'])
    // The deletion is in the commit log until it is folded into the base files.
    expect(await store.compactLog()).toBe(true)
    expect(store.stats()).toMatchObject({ live: 1, deleted: 2 })
    const docstore = JSON.parse(await readFile(path.join(dir, 'docstore.json'), 'utf8')) as Array<[string, unknown]>
    expect(docstore.map(([label]) => label)).toEqual(['2'])

    const reopened = await open()
    expect(reopened.stats()).toMatchObject({ live: 1, deleted: 2 })
    await reopened.compact()
    expect(reopened.stats()).toMatchObject({ live: 1, deleted: 0 })
    const again = await open()
    expect(again.stats()).toMatchObject({ live: 1, deleted: 0 })
    expect((await again.search(axis(DIM, 2), 1))[0]).toMatchObject({ documentId: 'b', label: 0 })
    await again.add([chunk('c', 0, axis(DIM, 3))])
    expect((await again.search(axis(DIM, 3), 1))[0]).toMatchObject({ documentId: 'c', label: 1 })
  })

  it('deletes several documents in one commit, and commits nothing when none is known', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0)), chunk('a', 1, axis(DIM, 1)), chunk('b', 0, axis(DIM, 2)), chunk('c', 0, axis(DIM, 3))])
    const before = store.stats().revision
    expect(await store.deleteDocuments(['a', 'c', 'unknown'])).toBe(3)
    expect(store.stats()).toMatchObject({ live: 1, deleted: 3, revision: before + 1 })
    expect(await store.deleteDocuments(['a', 'unknown'])).toBe(0)
    expect(await store.deleteDocuments([])).toBe(0)
    expect(store.stats().revision).toBe(before + 1)

    const reopened = await open()
    expect(reopened.listDocuments().map((d) => d.id)).toEqual(['b'])
    expect((await reopened.search(axis(DIM, 0), 5)).map((h) => h.documentId)).toEqual(['b'])
  })

  it('deleteAll empties the store; the empty index reloads (capacity 0 in hnswlib) and accepts adds', async () => {
    const store = await open({ initialCapacity: 4 })
    await store.add([chunk('a', 0, axis(DIM, 0)), chunk('b', 0, axis(DIM, 1))])
    await store.deleteAll()
    expect(store.stats()).toMatchObject({ live: 0, deleted: 0 })
    const reopened = await open({ initialCapacity: 4 })
    expect(reopened.stats()).toMatchObject({ live: 0, capacity: 4 })
    expect(await reopened.search(axis(DIM, 0), 3)).toEqual([])
    await reopened.add([chunk('c', 0, axis(DIM, 2))])
    expect((await reopened.search(axis(DIM, 2), 3)).map((h) => h.documentId)).toEqual(['c'])
    const last = await open()
    expect(last.stats().live).toBe(1)
  })

  it('exports every live chunk with its vector, enough to rebuild elsewhere without re-embedding', async () => {
    const store = await open({ space: 'l2' })
    const random = seededRandom(7)
    const vectors = Array.from({ length: 6 }, () => randomVector(random, DIM))
    await store.add(vectors.map((v, i) => chunk(`d${i % 3}`, i, v, { metadata: { n: i } })))
    await store.deleteDocument('d1')
    const exported = await store.exportChunks()
    expect(exported).toHaveLength(4)
    for (const item of exported) {
      expect(Array.from(item.vector)).toEqual(Array.from(vectors[item.chunkIndex]!))
      expect(item.metadata).toEqual({ n: item.chunkIndex })
    }
    const copy = await open({ space: 'l2', dir: path.join(dir, 'copy') })
    await copy.add(exported)
    expect(copy.listDocuments().map((d) => d.id).sort()).toEqual(['d0', 'd2'])
  })
})

describe('embedder mismatch', () => {
  it('opens for stats/list/export/delete but refuses add and search with a message saying what to do', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    const other = await open({ embedderId: 'openai:text-embedding-3-small:1536', dimension: 1536 })
    expect(other.stats()).toMatchObject({ live: 1, embedderId: 'test:8', dimension: DIM })
    expect(other.listDocuments()).toHaveLength(1)
    expect(await other.exportChunks()).toHaveLength(1)
    const error = await other.search(new Array(1536).fill(0.1), 1).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'embedder_mismatch' })
    expect((error as Error).message).toContain('built with embedder "test:8" (dimension 8)')
    expect((error as Error).message).toContain('re-ingest')
    await expect(other.add([chunk('b', 0, new Array(1536).fill(0.1))])).rejects.toMatchObject({ code: 'embedder_mismatch' })
    const sameDimension = await open({ embedderId: 'other:8' })
    await expect(sameDimension.search(axis(DIM, 0), 1)).rejects.toMatchObject({ code: 'embedder_mismatch' })
    expect(await other.deleteDocument('a')).toBe(1)
  })
})

describe('isStale and close', () => {
  it('notices another object committing, removing the manifest, or a manifest appearing', async () => {
    const a = await open()
    const b = await open()
    expect(await a.isStale()).toBe(false)
    await b.add([chunk('x', 0, axis(DIM, 0))])
    expect(await a.isStale()).toBe(true)
    expect(await b.isStale()).toBe(false)
    const c = await open()
    expect(await c.isStale()).toBe(false)
    await removeDir(dir)
    expect(await c.isStale()).toBe(true)
  })

  it('picks up another object\'s commit before mutating, so nothing is lost', async () => {
    const a = await open()
    const b = await open()
    await a.add([chunk('x', 0, axis(DIM, 0))])
    await b.add([chunk('y', 0, axis(DIM, 1))])
    const c = await open()
    expect(c.listDocuments().map((d) => d.id).sort()).toEqual(['x', 'y'])
  })

  it('runs queued operations before closing, then refuses every call', async () => {
    const store = await open()
    const adding = store.add([chunk('a', 0, axis(DIM, 0))])
    await store.close()
    await adding
    expect(() => store.stats()).toThrow(/closed/)
    await expect(store.search(axis(DIM, 0), 1)).rejects.toMatchObject({ code: 'refused' })
    expect((await open()).stats().live).toBe(1)
  })

  it('serializes concurrent adds and searches on one object', async () => {
    const store = await open()
    const random = seededRandom(3)
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? store.add([chunk(`d${i}`, 0, randomVector(random, DIM))]) : store.search(randomVector(random, DIM), 3),
      ),
    )
    expect(store.stats()).toMatchObject({ live: 10, revision: 10 })
    expect((await open()).stats().live).toBe(10)
  })
})
