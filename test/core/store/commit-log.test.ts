/**
 * The commit log (bento-log.bin): a write appends instead of rewriting the base
 * files; an open replays it; compaction folds it in. Attacks: a damaged or torn
 * log, a failed append, and a log that outlives its compaction.
 */
import { appendFile, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { errnoError, setFaultInjector } from '../../../src/core/faults.js'
import { openStore } from '../../../src/core/store/index.js'
import { compactionDue, COMPACT_MAX_CHANGES, COMPACT_MIN_CHANGES } from '../../../src/core/store/compaction.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import { axis, chunk, makeTempDir, randomVector, removeDir, seededRandom } from './support.js'

const DIM = 8
let root: string
let dir: string
const stores: VectorStore[] = []
const open = async (extra: Partial<Parameters<typeof openStore>[0]> = {}) => {
  const store = await openStore({ dir, dimension: DIM, embedderId: 'test:8', ...extra })
  stores.push(store)
  return store
}
const ids = (store: VectorStore) => store.listDocuments().map((d) => d.id).sort()
const manifest = async () => JSON.parse(await readFile(path.join(dir, 'bento.json'), 'utf8')) as Record<string, unknown> & { log?: { bytes: number } }
const LOG = 'bento-log.bin'

beforeEach(async () => {
  root = await makeTempDir()
  dir = path.join(root, 'store')
})
afterEach(async () => {
  setFaultInjector(undefined)
  for (const store of stores.splice(0)) await store.close()
  await removeDir(root)
})

describe('appending to the commit log', () => {
  it('rewrites none of the base files after the first commit, and a reopen replays adds, replaces and deletes', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0)), chunk('a', 1, axis(DIM, 1))])
    const base = await Promise.all(['hnswlib.index', 'docstore.json', 'bento-lexical.bin'].map(async (name) => (await stat(path.join(dir, name))).ino))
    await store.add([chunk('b', 0, axis(DIM, 2), { text: 'zebra crossing' })])
    await store.add([chunk('a', 0, axis(DIM, 3), { text: 'replacement of a' })], { replacing: ['a'] })
    await store.add([chunk('c', 0, axis(DIM, 4))])
    expect(await store.deleteDocument('c')).toBe(1)
    expect(await Promise.all(['hnswlib.index', 'docstore.json', 'bento-lexical.bin'].map(async (name) => (await stat(path.join(dir, name))).ino))).toEqual(base)
    expect(store.stats()).toMatchObject({ live: 2, deleted: 3, revision: 5 })
    expect(store.logStats()).toMatchObject({ records: 4, added: 3, deleted: 3, due: false })
    expect(await manifest()).toMatchObject({ formatVersion: 2, live: 2, deleted: 3, documents: 2, nextLabel: 5, log: { records: 4, added: 3, deleted: 3 } })

    const reopened = await open()
    expect(ids(reopened)).toEqual(['a', 'b'])
    expect(reopened.stats()).toMatchObject({ live: 2, deleted: 3, revision: 5 })
    expect((await reopened.search(axis(DIM, 3), 1))[0]).toMatchObject({ documentId: 'a', text: 'replacement of a' })
    expect((await reopened.search(axis(DIM, 0), 5)).map((hit) => hit.documentId).sort()).toEqual(['a', 'b'])
    expect((await reopened.searchLexical('zebra', 5))!.map((hit) => hit.documentId)).toEqual(['b'])
    expect(await reopened.searchLexical('replacement', 5)).toHaveLength(1)
  })

  it('merges the base and the log in search order, and exports the same vectors before and after compaction', async () => {
    const random = seededRandom(3)
    const vectors = Array.from({ length: 40 }, () => randomVector(random, DIM))
    const store = await open()
    await store.add(vectors.slice(0, 20).map((vector, i) => chunk(`d${i}`, 0, vector)))
    await store.add(vectors.slice(20).map((vector, i) => chunk(`d${20 + i}`, 0, vector)))
    const query = randomVector(random, DIM)
    const logged = await store.search(query, 10)
    const exported = await store.exportChunks()
    await store.compactLog()
    expect(store.logStats().records).toBe(0)
    expect((await store.search(query, 10)).map((hit) => hit.documentId)).toEqual(logged.map((hit) => hit.documentId))
    const folded = await store.exportChunks()
    expect(folded.map((c) => Buffer.from(c.vector.buffer).toString('hex'))).toEqual(exported.map((c) => Buffer.from(c.vector.buffer).toString('hex')))
    // Distances are exact in both halves: the ordering by distance never goes backwards.
    const distances = logged.map((hit) => hit.distance)
    expect([...distances].sort((a, b) => a - b)).toEqual(distances)
  })

  it('compaction folds the log into the base files, drops the log, and writes a format-1 manifest', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    await store.add([chunk('b', 0, axis(DIM, 1))])
    expect(await readdir(dir)).toContain(LOG)
    expect(await store.compactLog()).toBe(true)
    expect(await store.compactLog()).toBe(false)
    expect(await readdir(dir)).not.toContain(LOG)
    const written = await manifest()
    expect(written).toMatchObject({ formatVersion: 1, live: 2 })
    expect(written.log).toBeUndefined()
    const docstore = JSON.parse(await readFile(path.join(dir, 'docstore.json'), 'utf8')) as Array<[string, unknown]>
    expect(docstore.map(([label]) => label)).toEqual(['0', '1'])
    expect(ids(await open())).toEqual(['a', 'b'])
  })

  it('compact() folds the log and drops deleted points in one rebuild', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0)), chunk('b', 0, axis(DIM, 1))])
    await store.add([chunk('c', 0, axis(DIM, 2))])
    await store.deleteDocument('a')
    await store.compact()
    expect(store.stats()).toMatchObject({ live: 2, deleted: 0 })
    expect(store.logStats().records).toBe(0)
    const reopened = await open()
    expect(reopened.stats()).toMatchObject({ live: 2, deleted: 0 })
    expect((await reopened.search(axis(DIM, 2), 1))[0]!.documentId).toBe('c')
  })

  it('a store that starts empty of points after deleteAll takes appends, and searches them', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    await store.deleteAll()
    await store.add([chunk('b', 0, axis(DIM, 1))])
    expect(store.logStats().records).toBe(1)
    expect((await (await open()).search(axis(DIM, 1), 3)).map((hit) => hit.documentId)).toEqual(['b'])
  })

  it('a large store (hnswlib, not flat) marks the log deletions in its index', async () => {
    const random = seededRandom(9)
    const store = await open({ exactSearchMaxPoints: 0 })
    await store.add(Array.from({ length: 30 }, (_, i) => chunk(`d${i}`, 0, randomVector(random, DIM))))
    const target = (await store.exportChunks()).find((c) => c.documentId === 'd7')!.vector
    await store.deleteDocument('d7')
    expect((await store.search(target, 30)).map((hit) => hit.documentId)).not.toContain('d7')
    const reopened = await open({ exactSearchMaxPoints: 0 })
    expect((await reopened.search(target, 30)).map((hit) => hit.documentId)).not.toContain('d7')
    expect(await reopened.search(target, 30)).toHaveLength(29)
    await reopened.compactLog()
    expect(await (await open({ exactSearchMaxPoints: 0 })).search(target, 30)).toHaveLength(29)
  })
})

describe('a damaged or torn log', () => {
  const seedWithLog = async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    await store.add([chunk('b', 0, axis(DIM, 1))])
    await store.close()
  }

  it('is refused as corrupt when a counted byte changes, or when it is shorter than the manifest counts', async () => {
    await seedWithLog()
    const file = path.join(dir, LOG)
    const good = await readFile(file)
    const damaged = Buffer.from(good)
    damaged[good.length - 3] = damaged[good.length - 3]! ^ 0xff
    await writeFile(file, damaged)
    await expect(openStore({ dir })).rejects.toMatchObject({ code: 'corrupt_store', message: expect.stringContaining(LOG) })
    await writeFile(file, good.subarray(0, good.length - 1))
    await expect(openStore({ dir })).rejects.toMatchObject({ code: 'corrupt_store', message: expect.stringContaining(LOG) })
  })

  it('ignores bytes beyond what the manifest counts (a crashed append), and the next append cuts them', async () => {
    await seedWithLog()
    const file = path.join(dir, LOG)
    await appendFile(file, Buffer.from('torn tail of an append that never committed'))
    const store = await open()
    expect(ids(store)).toEqual(['a', 'b'])
    await store.add([chunk('c', 0, axis(DIM, 2))])
    expect((await stat(file)).size).toBe((await manifest()).log!.bytes)
    expect(ids(await open())).toEqual(['a', 'b', 'c'])
  })

  it('a log left behind by a compaction (the manifest no longer counts it) is ignored, then restarted', async () => {
    await seedWithLog()
    const stale = await readFile(path.join(dir, LOG))
    const store = await open()
    await store.compactLog()
    await writeFile(path.join(dir, LOG), stale)
    expect(ids(await open())).toEqual(['a', 'b'])
    await store.add([chunk('c', 0, axis(DIM, 2))])
    expect(ids(await open())).toEqual(['a', 'b', 'c'])
  })

  it('a symlink planted as the log is refused, never followed', async () => {
    await seedWithLog()
    const { rename, symlink } = await import('node:fs/promises')
    await rename(path.join(dir, LOG), path.join(root, 'elsewhere.bin'))
    await symlink(path.join(root, 'elsewhere.bin'), path.join(dir, LOG))
    await expect(openStore({ dir })).rejects.toMatchObject({ code: 'corrupt_store' })
  })
})

describe('a failed append', () => {
  for (const [op, match, errno] of [
    ['writeFile', /^bento-log\.bin$/, 'ENOSPC'],
    ['fsync', /^store$/, 'EIO'],
    ['writeFile', /^\.bento\.json\.tmp-/, 'ENOSPC'],
    ['rename', /^\.bento\.json\.tmp-/, 'EIO'],
  ] as const) {
    it(`${errno} on ${op} of ${match.source} leaves the old or the new version in memory and on disk`, async () => {
      const store = await open()
      await store.add([chunk('a', 0, axis(DIM, 0))])
      await store.add([chunk('b', 0, axis(DIM, 1))])
      let seen = false
      setFaultInjector((calledOp, calledPath) => (calledOp === op && !seen && match.test(path.basename(calledPath)) && (seen = true) ? errnoError(errno, op, calledPath) : undefined))
      const outcome = await store.add([chunk('c', 0, axis(DIM, 2))]).then(() => 'ok', (error: { code?: string }) => error.code)
      setFaultInjector(undefined)
      expect(seen).toBe(true)
      const onDisk = ids(await open())
      // Until the manifest is renamed the write did not happen; an error after it may leave it done.
      expect([['a', 'b'], ['a', 'b', 'c']]).toContainEqual(onDisk)
      if (outcome !== 'ok') expect(outcome).toBe('io_error')
      expect(ids(store)).toEqual(onDisk)
      expect((await readdir(dir)).filter((name) => name.startsWith('.'))).toEqual([])
      await store.add([chunk('d', 0, axis(DIM, 3))])
      expect(ids(await open())).toEqual([...onDisk, 'd'])
    })
  }
})

describe('when compaction is due', () => {
  it('after enough changes for the base, and always past the cap', () => {
    expect(compactionDue({ added: 0, deleted: 0, bytes: 0 }, 0)).toBe(false)
    expect(compactionDue({ added: COMPACT_MIN_CHANGES - 1, deleted: 0, bytes: 1 }, 10)).toBe(false)
    expect(compactionDue({ added: COMPACT_MIN_CHANGES, deleted: 0, bytes: 1 }, 10)).toBe(true)
    expect(compactionDue({ added: 1000, deleted: 0, bytes: 1 }, 100_000)).toBe(false)
    expect(compactionDue({ added: COMPACT_MAX_CHANGES, deleted: 0, bytes: 1 }, 1_000_000)).toBe(true)
    expect(compactionDue({ added: 1, deleted: 0, bytes: 64 * 1024 ** 2 }, 1_000_000)).toBe(true)
  })

  it('a store says so through logStats', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    const random = seededRandom(1)
    await store.add(Array.from({ length: COMPACT_MIN_CHANGES }, (_, i) => chunk(`n${i}`, 0, randomVector(random, DIM))))
    expect(store.logStats()).toMatchObject({ records: 1, added: COMPACT_MIN_CHANGES, due: true })
  })
})
