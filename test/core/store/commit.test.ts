import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { errnoError, setFaultInjector } from '../../../src/core/faults.js'
import { openStore, recoverStore } from '../../../src/core/store/index.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import { axis, chunk, makeTempDir, removeDir } from './support.js'

const DIM = 4
let root: string
let dir: string
const stores: VectorStore[] = []
const open = async () => {
  const store = await openStore({ dir, dimension: DIM, appendLog: false })
  stores.push(store)
  return store
}
const names = async () => (await readdir(dir)).sort()
const ids = (store: VectorStore) => store.listDocuments().map((d) => d.id).sort()

/** Fails the n-th call of `op` whose path matches. */
const failAt = (op: string, match: RegExp, errno: string, nth = 1) => {
  let seen = 0
  setFaultInjector((calledOp, calledPath) => (calledOp === op && match.test(path.basename(calledPath)) && ++seen === nth ? errnoError(errno, op, calledPath) : undefined))
}

beforeEach(async () => {
  root = await makeTempDir()
  dir = path.join(root, 'store')
})
afterEach(async () => {
  setFaultInjector(undefined)
  for (const store of stores.splice(0)) await store.close()
  await removeDir(root)
})

describe('commit failures', () => {
  for (const [op, match, errno] of [
    ['writeFile', /^\.docstore\.json\.tmp-/, 'ENOSPC'],
    ['fsync', /^\.hnswlib\.index\.tmp-/, 'EIO'],
    ['writeFile', /^\.bento\.json\.tmp-/, 'ENOSPC'],
    ['writeFile', /^\.bento-lexical\.bin\.tmp-/, 'ENOSPC'],
    ['writeFile', /^\.commit\.journal\.tmp-/, 'ENOSPC'],
  ] as const) {
    it(`${errno} on ${op} of ${match.source} leaves the old version in memory and on disk, and no temps`, async () => {
      const store = await open()
      await store.add([chunk('a', 0, axis(DIM, 0))])
      const before = await names()
      failAt(op, match, errno)
      await expect(store.add([chunk('b', 0, axis(DIM, 1))])).rejects.toMatchObject({ code: 'io_error' })
      setFaultInjector(undefined)
      expect(store.stats()).toMatchObject({ live: 1, revision: 1 })
      expect(ids(store)).toEqual(['a'])
      expect((await store.search(axis(DIM, 1), 5)).map((h) => h.documentId)).toEqual(['a'])
      expect(await names()).toEqual(before)
      expect(ids(await open())).toEqual(['a'])
      await store.add([chunk('c', 0, axis(DIM, 2))])
      expect(ids(await open())).toEqual(['a', 'c'])
    })
  }

  it('a failure after the journal is written is finished: readers see the new version, the next writer completes it', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    failAt('rename', /^\.bento\.json\.tmp-/, 'EIO')
    await expect(store.add([chunk('b', 0, axis(DIM, 1))])).rejects.toMatchObject({ code: 'io_error' })
    setFaultInjector(undefined)
    // The object reloaded what is on disk: the journal makes that the new version.
    expect(ids(store)).toEqual(['a', 'b'])
    const pending = await names()
    expect(pending).toContain('commit.journal')
    const reader = await open()
    expect(ids(reader)).toEqual(['a', 'b'])
    expect(reader.stats().revision).toBe(2)
    expect(await names()).toEqual(pending)
    await reader.add([chunk('c', 0, axis(DIM, 2))])
    expect(await names()).toEqual(['args.json', 'bento-catalog.json', 'bento-lexical.bin', 'bento.json', 'docstore.json', 'hnswlib.index'])
    expect(ids(await open())).toEqual(['a', 'b', 'c'])
    expect(await store.isStale()).toBe(true)
  })
})

describe('journal and temp files', () => {
  it('refuses a journal naming foreign files', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    for (const renames of [[{ from: '../../x', to: 'bento.json' }], [{ from: '.activity.json.tmp-0123456789ab', to: 'activity.json' }], [{ from: '.docstore.json.tmp-0123456789ab', to: 'bento.json' }]]) {
      await writeFile(path.join(dir, 'commit.journal'), JSON.stringify({ version: 1, renames }))
      await expect(openStore({ dir })).rejects.toMatchObject({ code: 'corrupt_store', message: expect.stringContaining('commit.journal') })
    }
  })

  it('sweeps its own stray temps at the first mutation, never other modules\' temps', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    await writeFile(path.join(dir, '.hnswlib.index.tmp-0123456789ab'), 'partial')
    await writeFile(path.join(dir, '.bento.json.tmp-aaaaaaaaaaaa'), 'partial')
    await writeFile(path.join(dir, '.activity.json.tmp-0123456789ab'), 'someone else')
    await writeFile(path.join(dir, 'activity.json'), '{}')
    const reader = await open()
    expect(ids(reader)).toEqual(['a'])
    expect(await names()).toContain('.hnswlib.index.tmp-0123456789ab')
    await reader.add([chunk('b', 0, axis(DIM, 1))])
    expect(await names()).toEqual(['.activity.json.tmp-0123456789ab', 'activity.json', 'args.json', 'bento-catalog.json', 'bento-lexical.bin', 'bento.json', 'docstore.json', 'hnswlib.index'])
  })

  it('recoverStore finishes a pending journal and is idempotent', async () => {
    const store = await open()
    await store.add([chunk('a', 0, axis(DIM, 0))])
    failAt('rename', /^\.docstore\.json\.tmp-/, 'EIO')
    await expect(store.add([chunk('b', 0, axis(DIM, 1))])).rejects.toMatchObject({ code: 'io_error' })
    setFaultInjector(undefined)
    expect(await recoverStore(dir)).toEqual({ rolledForward: true, swept: 0 })
    expect(await recoverStore(dir)).toEqual({ rolledForward: false, swept: 0 })
    expect(await names()).toEqual(['args.json', 'bento-catalog.json', 'bento-lexical.bin', 'bento.json', 'docstore.json', 'hnswlib.index'])
    expect(ids(await open())).toEqual(['a', 'b'])
  })
})
