import { copyFileSync, renameSync } from 'node:fs'
import { appendFile, cp } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setFaultInjector } from '../../../src/core/faults.js'
import { StorePool } from '../../../src/core/pool.js'
import { createIndex, loadIndex, releaseIndex, type IndexParams } from '../../../src/core/store/hnsw.js'
import { FREE_PER_SHAPE, keepIdleIndexes, recyclerCounts } from '../../../src/core/store/index-recycler.js'
import { MANIFEST_FILE, openStore } from '../../../src/core/store/index.js'
import { axis, chunk, makeTempDir, removeDir } from './support.js'

const DIM = 8
let root: string

beforeEach(async () => {
  root = await makeTempDir('bento-recycler-')
})
afterEach(() => {
  setFaultInjector(undefined)
  return removeDir(root)
})

/** Three distinct stores (document `doc-<t>` along axis t), each copied `copies` times. */
const makeScopes = async (copies: number): Promise<string[]> => {
  const keys: string[] = []
  for (let t = 0; t < 3; t++) {
    const template = path.join(root, `template-${t}`)
    const store = await openStore({ dir: template, dimension: DIM })
    await store.add([0, 1, 2].map((i) => chunk(`doc-${t}`, i, axis(DIM, t, 1 + i / 10))))
    await store.close()
    for (let i = t; i < copies; i += 3) {
      const key = `scope-${i}`
      await cp(template, path.join(root, key), { recursive: true })
      keys.push(key)
    }
  }
  return keys.sort()
}

const templateOf = (key: string) => Number(key.slice('scope-'.length)) % 3

// These stores are small: exactSearchMaxPoints 0 makes them load hnswlib as large ones do.
describe('index recycling', () => {
  it('keeps the number of native indexes bounded by the pool cap, not by the scopes opened (300 scopes, cap 8)', async () => {
    const keys = await makeScopes(300)
    const cap = 8
    const concurrency = 4
    const pool = new StorePool({ maxOpen: cap, idleMs: 0, open: (key) => openStore({ dir: path.join(root, key), dimension: DIM, exactSearchMaxPoints: 0 }) })
    const before = recyclerCounts()
    let next = 0
    const worker = async () => {
      for (let key = keys[next++]; key !== undefined; key = keys[next++]) {
        const t = templateOf(key)
        const hits = await pool.use(key, (store) => store.search(axis(DIM, t), 1))
        // A recycled object must hold this scope's index, never the previous owner's.
        expect(hits.map((hit) => hit.documentId), key).toEqual([`doc-${t}`])
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    await pool.closeAll()
    const after = recyclerCounts()
    const created = after.created - before.created
    // Open stores (cap, plus evictions still closing for each concurrent open) + the idle free list.
    expect(created).toBeLessThanOrEqual(cap + concurrency + FREE_PER_SHAPE)
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(keys.length - created)
    expect(after.idle).toBeLessThanOrEqual(FREE_PER_SHAPE * 2)
  })

  it('reuses a closed store\'s object for the next open of the same space and dimension only', async () => {
    const params: IndexParams = { space: 'cosine', dimension: DIM, m: 16, efConstruction: 50, efSearch: 50 }
    const a = createIndex(params, 10)
    a.addPoint(axis(DIM, 1), 0)
    releaseIndex(a)
    releaseIndex(a) // twice is harmless: it is on the free list once
    expect(a.getMaxElements()).toBe(1) // shrunk: its data block is freed
    const other = createIndex({ ...params, dimension: DIM * 2 }, 10)
    expect(other).not.toBe(a)
    const b = createIndex(params, 10)
    const c = createIndex(params, 10)
    expect([b, c]).toContain(a)
    expect(b).not.toBe(c)
    expect(a.getCurrentCount()).toBe(0) // a fresh index, nothing of the old one
    for (const index of [b, c, other]) releaseIndex(index)
  })

  it('quarantines an object whose readIndex failed after dropping its old index, and reuses one whose file did not open', async () => {
    const params: IndexParams = { space: 'l2', dimension: DIM, m: 16, efConstruction: 50, efSearch: 50 }
    const file = path.join(root, 'index.bin')
    const source = createIndex(params, 4)
    source.addPoint(axis(DIM, 0), 0)
    source.addPoint(axis(DIM, 1), 1)
    await source.writeIndex(file)
    releaseIndex(source)

    // Missing file: hnswlib refuses before touching the object, which stays usable.
    const start = recyclerCounts()
    await expect(loadIndex(path.join(root, 'missing.bin'), params, 4)).rejects.toThrow(/failed to open file/)
    expect(recyclerCounts().quarantined).toBe(start.quarantined)
    const reloaded = await loadIndex(file, params, 4)
    expect(reloaded.searchKnn(axis(DIM, 1), 1).neighbors).toEqual([1])
    releaseIndex(reloaded)

    // Trailing bytes: hnswlib has deleted the old native index when it rejects the file.
    const broken = path.join(root, 'broken.bin')
    await cp(file, broken)
    await appendFile(broken, Buffer.alloc(8))
    await expect(loadIndex(broken, params, 4)).rejects.toThrow(/corrupted/)
    expect(recyclerCounts().quarantined).toBe(start.quarantined + 1)
    // Every later object is a working one.
    const fresh = createIndex(params, 4)
    fresh.addPoint(axis(DIM, 2), 7)
    expect(fresh.searchKnn(axis(DIM, 2), 1).neighbors).toEqual([7])
    releaseIndex(fresh)
  })

  it('keeps every object a burst of closes frees once a pool raised the limit, so the next opens create none', () => {
    // A shape no other test uses: its free list starts empty.
    const params: IndexParams = { space: 'ip', dimension: DIM + 3, m: 16, efConstruction: 50, efSearch: 50 }
    const burst = FREE_PER_SHAPE + 12
    keepIdleIndexes(burst)
    keepIdleIndexes(FREE_PER_SHAPE) // another, smaller pool never lowers it
    const start = recyclerCounts()
    const first = Array.from({ length: burst }, () => createIndex(params, 4))
    for (const index of first) releaseIndex(index)
    const middle = recyclerCounts()
    expect(middle.dropped - start.dropped).toBe(0)
    const second = Array.from({ length: burst }, () => createIndex(params, 4))
    const end = recyclerCounts()
    expect(end.created - start.created).toBe(burst)
    expect(end.reused - middle.reused).toBe(burst)
    expect(new Set(second)).toEqual(new Set(first))
    for (const index of second) releaseIndex(index)
  })

  it('recycles the index of a read that a commit overtook, instead of leaving it for a GC', async () => {
    const dir = path.join(root, 'store')
    // A shape no other test uses, so every count below is this store's.
    const store = await openStore({ dir, dimension: DIM + 5, space: 'l2' })
    await store.add([chunk('doc-1', 0, axis(DIM + 5, 1))])
    await store.close()
    const manifest = path.join(dir, MANIFEST_FILE)
    let swapped = false
    // Another process's commit, as the reader sees it: the manifest gets a new inode mid-read.
    setFaultInjector((op, file) => {
      if (op === 'readFile' && file === manifest && !swapped) {
        swapped = true
        copyFileSync(manifest, `${manifest}.copy`)
        renameSync(`${manifest}.copy`, manifest)
      }
      return undefined
    })
    const before = recyclerCounts()
    const reopened = await openStore({ dir, dimension: DIM + 5, space: 'l2', exactSearchMaxPoints: 0 })
    expect(swapped).toBe(true)
    expect((await reopened.search(axis(DIM + 5, 1), 1)).map((hit) => hit.documentId)).toEqual(['doc-1'])
    await reopened.close()
    const after = recyclerCounts()
    const taken = after.created - before.created + (after.reused - before.reused)
    expect(taken).toBe(2) // the overtaken read and the retry
    expect(after.released - before.released).toBe(2)
  })
})
