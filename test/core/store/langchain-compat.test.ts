/**
 * LangChain.js compatibility both ways, without LangChain installed: the test
 * writes and reads directories with raw hnswlib-node exactly as LangChain's
 * `HNSWLib` (`addVectors`, `save`, `load`, `similaritySearchVectorWithScore`) does.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import hnswlib from 'hnswlib-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/core/store/index.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import type { HnswVectorStore } from '../../../src/core/store/vector-store.js'
import { chunk, makeTempDir, randomVector, removeDir, seededRandom } from './support.js'

const DIM = 8
let root: string
const stores: VectorStore[] = []

beforeEach(async () => {
  root = await makeTempDir()
})
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  await removeDir(root)
})

interface LangChainDocument {
  pageContent: string
  metadata: Record<string, unknown>
}

/** LangChain's HNSWLib: addVectors (twice, so it resizes) then save. */
const saveAsLangChain = async (dir: string, batches: Array<Array<{ vector: number[]; doc: LangChainDocument }>>) => {
  const args = { space: 'cosine' as const, numDimensions: DIM }
  const index = new hnswlib.HierarchicalNSW(args.space, args.numDimensions)
  const docs = new Map<string, LangChainDocument>()
  for (const batch of batches) {
    if (!index.getCurrentCount()) index.initIndex(batch.length)
    if (index.getCurrentCount() + batch.length > index.getMaxElements()) index.resizeIndex(index.getCurrentCount() + batch.length)
    const docstoreSize = index.getCurrentCount()
    const toSave: Record<number, LangChainDocument> = {}
    batch.forEach(({ vector, doc }, i) => {
      index.addPoint(vector, docstoreSize + i)
      toSave[docstoreSize + i] = doc
    })
    for (const [key, value] of Object.entries(toSave)) docs.set(key, value)
  }
  await mkdir(dir, { recursive: true })
  await index.writeIndex(path.join(dir, 'hnswlib.index'))
  await writeFile(path.join(dir, 'args.json'), JSON.stringify(args))
  await writeFile(path.join(dir, 'docstore.json'), JSON.stringify(Array.from(docs.entries())))
}

/** LangChain's HNSWLib.load + similaritySearchVectorWithScore. */
const loadAsLangChain = async (dir: string) => {
  const args = JSON.parse(await readFile(path.join(dir, 'args.json'), 'utf8')) as { space: 'cosine' | 'l2' | 'ip'; numDimensions: number }
  const index = new hnswlib.HierarchicalNSW(args.space, args.numDimensions)
  const docstoreFiles = JSON.parse(await readFile(path.join(dir, 'docstore.json'), 'utf8')) as Array<[string, LangChainDocument]>
  await index.readIndex(path.join(dir, 'hnswlib.index'))
  const docstore = new Map(docstoreFiles)
  const search = (query: number[], k: number): Array<[LangChainDocument, number]> => {
    if (query.length !== args.numDimensions) throw new Error('Query vector must have the same length as the number of dimensions')
    const total = index.getCurrentCount()
    const result = index.searchKnn(query, Math.min(k, total))
    return result.neighbors.map((label, i) => {
      const doc = docstore.get(String(label))
      if (!doc) throw new Error(`ID ${label} not found.`)
      return [doc, result.distances[i]!]
    })
  }
  return { args, search, index }
}

const bruteForceNearest = (vectors: number[][], query: number[]): number => {
  const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v))
  const q = unit(query)
  let best = -1
  let bestScore = -Infinity
  vectors.forEach((v, i) => {
    const score = unit(v).reduce((sum, x, j) => sum + x * q[j]!, 0)
    if (score > bestScore) [best, bestScore] = [i, score]
  })
  return best
}

describe('a directory LangChain saved', () => {
  it('opens with its embedder unknown (search and add refuse), then searches correctly once adoptEmbedder declares it', async () => {
    const dir = path.join(root, 'langchain')
    const random = seededRandom(11)
    const vectors = Array.from({ length: 12 }, () => Array.from(randomVector(random, DIM)))
    const item = (i: number) => ({ vector: vectors[i]!, doc: { pageContent: `page ${i}`, metadata: { source: `file-${i % 3}.txt`, loc: { lines: { from: i, to: i } } } } })
    await saveAsLangChain(dir, [[0, 1, 2, 3, 4].map(item), [5, 6, 7, 8, 9, 10, 11].map(item)])

    const store = await openStore({ dir, dimension: DIM, embedderId: 'test:8', appendLog: false })
    stores.push(store)
    // hnswlib records no embedder: the configured one is not assumed (issue 13).
    expect(store.stats()).toMatchObject({ live: 12, deleted: 0, dimension: DIM, space: 'cosine', embedderId: undefined, revision: 0 })
    await expect(store.search(vectors[0]!, 1)).rejects.toMatchObject({ code: 'embedder_mismatch', message: expect.stringContaining('bento adopt') })
    await expect(store.add([chunk('x', 0, vectors[0]!)])).rejects.toMatchObject({ code: 'embedder_mismatch' })
    expect(await readdir(dir)).not.toContain('bento.json')
    await (store as HnswVectorStore).adoptEmbedder('test:8')
    expect(store.stats()).toMatchObject({ embedderId: 'test:8', revision: 1 })
    for (let q = 0; q < 10; q++) {
      const query = Array.from(randomVector(random, DIM))
      const [hit] = await store.search(query, 1)
      expect(hit!.text).toBe(`page ${bruteForceNearest(vectors, query)}`)
    }
    expect((await store.search(vectors[7]!, 1))[0]).toMatchObject({ label: 7, text: 'page 7', documentId: 'file-1.txt', title: 'file-1.txt' })
    expect(store.listDocuments().map((d) => [d.id, d.chunks])).toEqual([['file-0.txt', 4], ['file-1.txt', 4], ['file-2.txt', 4]])
    // Adopting rewrote the store: it has a lexical index over LangChain's pages now.
    await store.add([chunk('bento-doc', 0, Array.from(randomVector(random, DIM)))])
    expect(store.stats().lexical).toBe(true)
    expect((await store.searchLexical('page', 20))!.map((hit) => hit.label).sort((a, b) => a - b)).toEqual([...Array(12).keys()])
    expect((await store.searchLexical('bento-doc', 1))![0]).toMatchObject({ label: 12, documentId: 'bento-doc' })
    const manifest = JSON.parse(await readFile(path.join(dir, 'bento.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toMatchObject({ dimension: DIM, space: 'cosine', embedderId: 'test:8', live: 13, nextLabel: 13, revision: 2 })
    // LangChain can still read it, and its labels kept their meaning.
    const langchain = await loadAsLangChain(dir)
    expect(langchain.search(vectors[3]!, 1)[0]![0].pageContent).toBe('page 3')
  })

  it('is refused as corrupt when one of its three files is missing', async () => {
    const dir = path.join(root, 'partial')
    await saveAsLangChain(dir, [[{ vector: [1, 0, 0, 0, 0, 0, 0, 0], doc: { pageContent: 'x', metadata: {} } }]])
    await writeFile(path.join(dir, 'args.json.bak'), '')
    await removeDir(path.join(dir, 'docstore.json'))
    await expect(openStore({ dir })).rejects.toMatchObject({ code: 'corrupt_store', message: expect.stringContaining('docstore.json') })
  })
})

describe('a store Bento wrote', () => {
  it('is read by LangChain\'s load logic with the same results as Bento\'s search', async () => {
    const dir = path.join(root, 'bento')
    const random = seededRandom(5)
    const store = await openStore({ dir, dimension: DIM, embedderId: 'test:8', appendLog: false })
    stores.push(store)
    const vectors = Array.from({ length: 30 }, () => randomVector(random, DIM))
    await store.add(vectors.map((v, i) => chunk(`doc-${i % 6}`, i, v, { metadata: { source: `s${i}` } })))
    await store.deleteDocument('doc-2')

    // LangChain ignores Bento's extra files: the manifest and the lexical index.
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['bento.json', 'bento-lexical.bin']))
    const langchain = await loadAsLangChain(dir)
    expect(langchain.args).toEqual({ space: 'cosine', numDimensions: DIM })
    for (let q = 0; q < 10; q++) {
      const query = Array.from(randomVector(random, DIM))
      const ours = await store.search(query, 5)
      const theirs = langchain.search(query, 5)
      expect(theirs.map(([doc]) => doc.pageContent)).toEqual(ours.map((hit) => hit.text))
      theirs.forEach(([doc, distance], i) => {
        expect(distance).toBeCloseTo(ours[i]!.distance, 5)
        expect(doc.metadata).toMatchObject({ documentId: ours[i]!.documentId, title: ours[i]!.title, chunkIndex: ours[i]!.chunkIndex, source: ours[i]!.metadata.source })
      })
    }
    // LangChain never calls setEf: it searches at hnswlib's default ef 10, not the store's recorded efSearch.
    expect(langchain.index.getEf()).toBe(10)
    const manifest = JSON.parse(await readFile(path.join(dir, 'bento.json'), 'utf8')) as { efSearch: number }
    expect(manifest.efSearch).toBe(250)
    const all = langchain.search(Array.from(vectors[0]!), 1000)
    expect(all).toHaveLength(25)
    expect(all.some(([doc]) => doc.metadata.documentId === 'doc-2')).toBe(false)
  })
})

describe('a store with a commit log', () => {
  it('stays readable by LangChain at every write, which sees the appended writes once they are compacted', async () => {
    const dir = path.join(root, 'logged')
    const random = seededRandom(5)
    const vectors = Array.from({ length: 6 }, () => Array.from(randomVector(random, DIM)))
    const store = await openStore({ dir, dimension: DIM, embedderId: 'test:8' })
    stores.push(store)
    await store.add([0, 1, 2].map((i) => chunk(`base-${i}`, 0, vectors[i]!, { text: `page ${i}` })))
    const baseFiles = await Promise.all(['hnswlib.index', 'docstore.json', 'args.json'].map((name) => readFile(path.join(dir, name))))
    await store.add([3, 4].map((i) => chunk(`logged-${i}`, 0, vectors[i]!, { text: `page ${i}` })))
    await store.deleteDocument('base-0')
    expect(store.logStats()).toMatchObject({ records: 2, added: 2, deleted: 1 })
    // The appends touched none of LangChain's files: it reads the last compacted version, whole.
    const now = await Promise.all(['hnswlib.index', 'docstore.json', 'args.json'].map((name) => readFile(path.join(dir, name))))
    now.forEach((bytes, i) => expect(bytes.equals(baseFiles[i]!)).toBe(true))
    const before = await loadAsLangChain(dir)
    expect(before.search(vectors[4]!, 3).map(([doc]) => doc.pageContent).sort()).toEqual(['page 0', 'page 1', 'page 2'])
    // Bento sees everything at once.
    expect((await store.search(vectors[4]!, 1))[0]!.text).toBe('page 4')
    expect(await store.compactLog()).toBe(true)
    const after = await loadAsLangChain(dir)
    expect(after.search(vectors[4]!, 1)[0]![0].pageContent).toBe('page 4')
    expect(after.search(vectors[0]!, 4).map(([doc]) => doc.pageContent)).not.toContain('page 0')
  })
})

