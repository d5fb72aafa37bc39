/**
 * The catalog (bento-catalog.json) and the lazy open it allows: an append into a store
 * of any size reads the manifest, the catalog and the log, never the docstore or the
 * index. Attacks: a catalog that disagrees with the store, one missing (a store written
 * before it existed), and an operation that needs the whole store on a lazy one.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setFaultInjector } from '../../../src/core/faults.js'
import { openStore } from '../../../src/core/store/index.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import { axis, chunk, makeTempDir, removeDir } from './support.js'

const DIM = 8
let root: string
let dir: string
const stores: VectorStore[] = []
const open = async (lazy: boolean) => {
  const store = await openStore({ dir, dimension: DIM, embedderId: 'test:8', lazy })
  stores.push(store)
  return store
}
const byId = (store: VectorStore) => store.listDocuments().sort((a, b) => (a.id < b.id ? -1 : 1))
/** Paths the fs facade read whole (or in chunks) while `run` ran. */
const readsDuring = async <T>(run: () => Promise<T>): Promise<{ value: T; reads: string[] }> => {
  const reads: string[] = []
  setFaultInjector((op, file) => {
    if (op === 'readFile') reads.push(path.basename(file))
    return undefined
  })
  try {
    return { value: await run(), reads }
  } finally {
    setFaultInjector(undefined)
  }
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

/** A base of two documents (one with metadata) and a log that adds and deletes one. */
const seed = async () => {
  const store = await open(false)
  await store.add([chunk('a', 0, axis(DIM, 0), { metadata: { source: 'a.txt' } }), chunk('a', 1, axis(DIM, 1))])
  await store.add([chunk('b', 0, axis(DIM, 2), { text: 'bé' })])
  await store.add([chunk('c', 0, axis(DIM, 3))])
  await store.deleteDocument('c')
  return store
}

describe('a lazily opened store', () => {
  it('lists the documents and appends a replace without reading the docstore or the index', async () => {
    const full = await seed()
    const expected = byId(full)
    await full.close()
    const { value: lazy, reads } = await readsDuring(async () => {
      const store = await open(true)
      expect(byId(store)).toEqual(expected)
      expect(store.stats()).toMatchObject({ live: 3, lexical: true, embedderId: 'test:8' })
      await store.refresh()
      await store.add([chunk('a', 0, axis(DIM, 4), { text: 'a again' })], { replacing: ['a'] })
      await store.add([chunk('d', 0, axis(DIM, 5))])
      expect(byId(store).map((d) => [d.id, d.chunks])).toEqual([['a', 1], ['b', 1], ['d', 1]])
      return store
    })
    expect(reads).not.toContain('docstore.json')
    expect(reads).not.toContain('hnswlib.index')
    expect(lazy.logStats()).toMatchObject({ records: 5, added: 4, deleted: 3 })

    const reopened = await open(false)
    expect(byId(reopened)).toEqual(byId(lazy))
    expect(reopened.stats()).toMatchObject({ live: 3, deleted: 3, revision: lazy.stats().revision })
    expect((await reopened.search(axis(DIM, 4), 1))[0]).toMatchObject({ documentId: 'a', text: 'a again' })
    expect((await reopened.searchLexical('again', 5))!.map((hit) => hit.documentId)).toEqual(['a'])
    expect(JSON.parse(await readFile(path.join(dir, 'bento.json'), 'utf8'))).toMatchObject({ documents: 3 })
  })

  it('loads the whole store before a search, a delete or a compaction', async () => {
    await (await seed()).close()
    const store = await open(true)
    const { value: hits, reads } = await readsDuring(() => store.search(axis(DIM, 2), 1))
    expect(hits[0]).toMatchObject({ documentId: 'b', text: 'bé' })
    expect(reads).toContain('docstore.json')
    const other = await open(true)
    expect(await other.deleteDocument('b')).toBe(1)
    await other.compact()
    expect(byId(await open(true)).map((d) => d.id)).toEqual(['a'])
  })

  it('opens in full when the catalog disagrees with the manifest, or is missing', async () => {
    const full = await seed()
    const expected = byId(full)
    await full.close()
    const catalog = path.join(dir, 'bento-catalog.json')
    const text = await readFile(catalog, 'utf8')
    // Same size, a count that its labels do not bear out.
    expect(text).toContain('"chunks":2')
    await writeFile(catalog, text.replace('"chunks":2', '"chunks":3'))
    const tampered = await readsDuring(async () => byId(await open(true)))
    expect(tampered.value).toEqual(expected)
    expect(tampered.reads).toContain('docstore.json')
    await rm(catalog)
    const missing = await readsDuring(async () => byId(await open(true)))
    expect(missing.value).toEqual(expected)
    expect(missing.reads).toContain('docstore.json')
  })

  it('is written by the next full commit of a store that had none (written before it existed)', async () => {
    await (await seed()).close()
    await rm(path.join(dir, 'bento-catalog.json'))
    const manifestFile = path.join(dir, 'bento.json')
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { files: Record<string, number> }
    delete manifest.files['bento-catalog.json']
    await writeFile(manifestFile, JSON.stringify(manifest))
    const store = await open(true)
    await store.add([chunk('e', 0, axis(DIM, 6))])
    await store.compact()
    await store.close()
    const { value, reads } = await readsDuring(async () => byId(await open(true)).map((d) => d.id))
    expect(value).toEqual(['a', 'b', 'e'])
    expect(reads).not.toContain('docstore.json')
  })
})
