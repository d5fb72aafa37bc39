/**
 * The lexical index inside the store: written in every commit beside the vector
 * index, checked on open, kept in step by delete/compact/deleteAll, and built for a
 * store found without one (written before it existed) at its next write or `reindex()`.
 */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { errnoError, setFaultInjector } from '../../../src/core/faults.js'
import { addPassage, analyzePassage, createLexicalIndex, defaultAnalyzer, encodeLexicalIndex } from '../../../src/core/lexical/index.js'
import { LEXICAL_FILE, MANIFEST_FILE, openStore } from '../../../src/core/store/index.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import { axis, chunk, useStoreDir } from './support.js'

const DIM = 4
const paths = useStoreDir()
const stores: VectorStore[] = []
const open = async (extra = {}) => {
  const store = await openStore({ dir: paths.dir, dimension: DIM, ...extra })
  stores.push(store)
  return store
}
afterEach(async () => {
  setFaultInjector(undefined)
  for (const store of stores.splice(0)) await store.close()
})

const texts = ['the refund policy for annual plans', 'Москва — столица России', '東京都の天気予報', 'shipping takes five days']
const seed = async (store: VectorStore) =>
  store.add(texts.map((text, i) => chunk(`doc-${i}`, 0, axis(DIM, i), { text })))
const found = async (store: VectorStore, query: string) => (await store.searchLexical(query, 10))!.map((hit) => hit.documentId)

/** What a store written before the lexical index existed looks like: no file, no manifest entry. */
const makeOld = async () => {
  await rm(path.join(paths.dir, LEXICAL_FILE))
  const manifestPath = path.join(paths.dir, MANIFEST_FILE)
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, number> }
  delete manifest.files[LEXICAL_FILE]
  await writeFile(manifestPath, JSON.stringify(manifest))
}

describe('the lexical index file', () => {
  it('is committed with the vector index and its size recorded in the manifest; a reopened store finds by words in any script', async () => {
    await seed(await open())
    const manifest = JSON.parse(await readFile(path.join(paths.dir, MANIFEST_FILE), 'utf8')) as { files: Record<string, number> }
    const bytes = (await readFile(path.join(paths.dir, LEXICAL_FILE))).length
    expect(manifest.files[LEXICAL_FILE]).toBe(bytes)
    const reopened = await open()
    expect(reopened.stats().lexical).toBe(true)
    expect(await found(reopened, 'REFUND')).toEqual(['doc-0'])
    expect(await found(reopened, 'москва')).toEqual(['doc-1'])
    expect(await found(reopened, '東京')).toEqual(['doc-2'])
    expect(await found(reopened, 'qqqzzzkkk')).toEqual([])
  })

  it('forgets deleted documents, survives compaction (labels renumbered) and empties with deleteAll', async () => {
    const store = await open()
    await seed(store)
    await store.deleteDocument('doc-0')
    expect(await found(store, 'refund')).toEqual([])
    expect(await found(await open(), 'refund')).toEqual([])
    await store.compact()
    expect(store.stats()).toMatchObject({ live: 3, deleted: 0 })
    const compacted = await open()
    expect((await compacted.searchLexical('shipping', 1))![0]).toMatchObject({ documentId: 'doc-3', label: 2 })
    await store.deleteAll()
    expect(await found(store, 'shipping')).toEqual([])
    expect((await open()).stats()).toMatchObject({ live: 0, lexical: true })
  })

  it.each([
    ['damaged (a flipped byte: checksum)', async (file: string, good: Buffer) => {
      const damaged = Buffer.from(good)
      damaged[20] = damaged[20]! ^ 0xff
      await writeFile(file, damaged)
    }],
    ['missing though recorded', async (file: string) => rm(file)],
    ['of another version of the store (valid, but not the size the manifest records)', async (file: string, good: Buffer) => writeFile(file, Buffer.concat([good, good]))],
  ])('%s: opens, searches by vector, reports it, and the next write rebuilds it from the docstore (no document lost)', async (_, damage) => {
    await seed(await open({ appendLog: false }))
    const file = path.join(paths.dir, LEXICAL_FILE)
    await damage(file, await readFile(file))
    const store = await open()
    expect(store.stats()).toMatchObject({ live: 4, lexical: false, lexicalProblem: expect.stringContaining(LEXICAL_FILE) })
    expect(await store.searchLexical('refund', 5)).toBeUndefined()
    expect((await store.search(axis(DIM, 1), 1))[0]!.documentId).toBe('doc-1')
    await store.add([chunk('late', 0, axis(DIM, 0), { text: 'unique zebra' })])
    expect(store.stats()).toMatchObject({ live: 5, lexical: true })
    expect(store.stats().lexicalProblem).toBeUndefined()
    const reopened = await open()
    expect(reopened.stats().lexicalProblem).toBeUndefined()
    expect(await found(reopened, 'refund zebra москва')).toEqual(expect.arrayContaining(['doc-0', 'late', 'doc-1']))
  })

  it('a damaged file with a commit log to replay: the open replays the log without it, and reindex() rebuilds it', async () => {
    const store = await open()
    await seed(store)
    await store.add([chunk('late', 0, axis(DIM, 0), { text: 'unique zebra' })])
    await store.close()
    expect(JSON.parse(await readFile(path.join(paths.dir, MANIFEST_FILE), 'utf8')).log).toBeDefined()
    // Valid as a whole (header, checksum, count), wrong inside: only the full decode the replay needs sees it.
    const foreign = createLexicalIndex()
    texts.forEach((text, i) => addPassage(foreign, 100 + i, text))
    const crafted = encodeLexicalIndex(foreign)
    await writeFile(path.join(paths.dir, LEXICAL_FILE), crafted)
    const manifest = JSON.parse(await readFile(path.join(paths.dir, MANIFEST_FILE), 'utf8')) as { files: Record<string, number> }
    manifest.files[LEXICAL_FILE] = crafted.length
    await writeFile(path.join(paths.dir, MANIFEST_FILE), JSON.stringify(manifest))
    const damaged = await open()
    expect(damaged.stats()).toMatchObject({ live: 5, lexical: false, lexicalProblem: expect.stringContaining('label 100') })
    expect(await damaged.reindex()).toBe(true)
    expect(await found(await open(), 'zebra shipping')).toEqual(expect.arrayContaining(['late', 'doc-3']))
  })

  it('opens without decoding the postings (checksum and passage count only); a file consistent as a whole but not with the docstore is dropped at its first use, and the next write rebuilds it', async () => {
    await seed(await open())
    const file = path.join(paths.dir, LEXICAL_FILE)
    const manifestPath = path.join(paths.dir, MANIFEST_FILE)
    // Same passage count, valid checksum, but its labels are none of the docstore's (another store's file).
    const foreign = createLexicalIndex()
    texts.forEach((text, i) => addPassage(foreign, 100 + i, text))
    const crafted = encodeLexicalIndex(foreign)
    await writeFile(file, crafted)
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, number> }
    manifest.files[LEXICAL_FILE] = crafted.length
    await writeFile(manifestPath, JSON.stringify(manifest))
    const store = await open()
    expect(store.stats()).toMatchObject({ live: 4, lexical: true })
    expect((await store.search(axis(DIM, 1), 1))[0]!.documentId).toBe('doc-1')
    expect(await store.searchLexical('refund', 5)).toBeUndefined()
    expect(store.stats()).toMatchObject({ lexical: false, lexicalProblem: expect.stringContaining(`${LEXICAL_FILE}: label 100`) })
    await store.add([chunk('late', 0, axis(DIM, 0), { text: 'unique zebra' })])
    expect(await readFile(file)).not.toEqual(crafted)
    expect((await found(await open(), 'refund zebra')).sort()).toEqual(['doc-0', 'late'])
  })

  it('a failed write of the lexical temp leaves the old version in memory and on disk', async () => {
    const store = await open({ appendLog: false })
    await seed(store)
    const before = (await readdir(paths.dir)).sort()
    setFaultInjector((op, p) => (op === 'writeFile' && path.basename(p).startsWith(`.${LEXICAL_FILE}.tmp-`) ? errnoError('ENOSPC', op, p) : undefined))
    await expect(store.add([chunk('late', 0, axis(DIM, 0), { text: 'unique zebra' })])).rejects.toMatchObject({ code: 'io_error' })
    setFaultInjector(undefined)
    expect(await found(store, 'zebra')).toEqual([])
    expect((await readdir(paths.dir)).sort()).toEqual(before)
    expect(await found(await open(), 'zebra')).toEqual([])
  })

  it('a commit interrupted after its journal lands the lexical index with the rest', async () => {
    const store = await open({ appendLog: false })
    await seed(store)
    setFaultInjector((op, p) => (op === 'rename' && path.basename(p).startsWith(`.${LEXICAL_FILE}.tmp-`) ? errnoError('EIO', op, p) : undefined))
    await expect(store.add([chunk('late', 0, axis(DIM, 0), { text: 'unique zebra' })])).rejects.toMatchObject({ code: 'io_error' })
    setFaultInjector(undefined)
    expect(await readdir(paths.dir)).toContain('commit.journal')
    expect(await found(await open(), 'zebra')).toEqual(['late'])
    expect(await found(store, 'zebra')).toEqual(['late'])
  })
})

describe('a store written before the lexical index existed', () => {
  it('searches by vector meanwhile, says it has no lexical index, and gets one at its next write', async () => {
    await seed(await open())
    await makeOld()
    const old = await open()
    expect(old.stats().lexical).toBe(false)
    expect(await old.searchLexical('refund', 5)).toBeUndefined()
    expect((await old.search(axis(DIM, 1), 1))[0]!.documentId).toBe('doc-1')
    await old.add([chunk('new', 0, axis(DIM, 0), { text: 'a new refund note' })])
    expect(old.stats().lexical).toBe(true)
    expect((await found(await open(), 'refund')).sort()).toEqual(['doc-0', 'new'])
  })

  it('reindex({ force }) rebuilds a current index, keeping its analyzer', async () => {
    const store = await open({ lexical: { stemming: true } })
    await seed(store)
    const revision = store.stats().revision
    expect(await store.reindex()).toBe(false)
    expect(await store.reindex({ force: true })).toBe(true)
    expect(store.stats().revision).toBe(revision + 1)
    expect(await found(await open(), 'policies')).toEqual(['doc-0'])
  })

  it('gets one from reindex() without re-embedding, once', async () => {
    await seed(await open())
    await makeOld()
    const old = await open()
    const revision = old.stats().revision
    expect(await old.reindex()).toBe(true)
    expect(old.stats()).toMatchObject({ lexical: true, revision: revision + 1, live: 4 })
    expect(await old.reindex()).toBe(false)
    expect(await found(await open(), 'shipping')).toEqual(['doc-3'])
  })

  it('a delete also builds it, from the passages that remain', async () => {
    await seed(await open())
    await makeOld()
    const old = await open()
    await old.deleteDocument('doc-3')
    expect(await found(await open(), 'shipping')).toEqual([])
    expect(await found(await open(), 'refund')).toEqual(['doc-0'])
  })
})

describe('analyzer options', () => {
  it('a store created with English stop words and stemming keeps them; an existing store keeps its own', async () => {
    const store = await open({ lexical: { stopWords: true, stemming: true } })
    await seed(store)
    expect(await found(store, 'policies')).toEqual(['doc-0'])
    expect(await found(store, 'the')).toEqual([])
    const plain = await open()
    expect(await found(plain, 'policies')).toEqual(['doc-0'])
    await expect(openStore({ dir: paths.dir, lexical: { stemming: 'yes' as unknown as boolean } })).rejects.toMatchObject({ code: 'invalid_options' })
  })
})

describe('terms counted ahead (as ingest counts them, before the lock)', () => {
  // Counts that disagree with the text show which of the two the index took.
  const counted = (text: string, analyzer = defaultAnalyzer()) => analyzePassage(text, analyzer)

  it.each([
    ['a full commit', { appendLog: false }],
    ['a commit-log append', {}],
  ])('%s indexes the counts, not the text, when the index analyzer made them', async (_, options) => {
    const store = await open(options)
    await seed(store)
    await store.add([chunk('late', 0, axis(DIM, 0), { text: 'alpha', terms: counted('beta') })])
    expect(await found(store, 'beta')).toEqual(['late'])
    expect(await found(store, 'alpha')).toEqual([])
  })

  it('an index with another analyzer tokenizes the text itself', async () => {
    const store = await open({ lexical: { stemming: true } })
    await seed(store)
    await store.add([chunk('late', 0, axis(DIM, 0), { text: 'alpha', terms: counted('beta') })])
    expect(await found(store, 'alpha')).toEqual(['late'])
    expect(await found(store, 'beta')).toEqual([])
  })

  it.each([
    ['a repeated term', { analyzer: 'bento-words-v1', terms: ['a', 'a'], tfs: [1, 1] }],
    ['a newline in a term', { analyzer: 'bento-words-v1', terms: ['a\nb'], tfs: [1] }],
    ['a zero frequency', { analyzer: 'bento-words-v1', terms: ['a'], tfs: [0] }],
    ['columns of different lengths', { analyzer: 'bento-words-v1', terms: ['a', 'b'], tfs: [1] }],
  ])('refuses %s before writing anything (it would make the file undecodable)', async (_, terms) => {
    const store = await open()
    await seed(store)
    const revision = store.stats().revision
    await expect(store.add([chunk('bad', 0, axis(DIM, 0), { terms: terms as never })])).rejects.toMatchObject({ code: 'invalid_input' })
    expect((await open()).stats().revision).toBe(revision)
  })
})
