/**
 * Stores for the benchmarks. `buildStore` writes through Bento's own store API
 * (`openStore` … `add`), so the files are exactly what Bento writes; before the
 * store module lands (or with `raw: true`) a raw writer produces the
 * LangChain-compatible trio (hnswlib.index, docstore.json, args.json) with
 * hnswlib-node directly.
 */
import path from 'node:path'
import fse from 'fs-extra'
import hnswlib from 'hnswlib-node'
import { requireDist } from '../lib/library.js'
import { generateText } from './text.js'

const { HierarchicalNSW } = hnswlib

export const LOCAL_EMBEDDER_ID = (dimension) => `local-hash-v1:${dimension}`

let storeModule
export const loadStoreModule = async () => (storeModule ??= await requireDist('core/store/index.js', ['openStore']))

/** Chunk inputs for the store API: `vectors[i]` becomes chunk i of document `doc-<i / perDoc>`. */
export const chunksFor = (vectors, { seed = 1, perDoc = 4, textBytes = 200, offset = 0 } = {}) =>
  vectors.map((vector, i) => {
    const n = i + offset
    const doc = Math.floor(n / perDoc)
    return {
      documentId: `doc-${String(doc).padStart(6, '0')}`,
      title: `Document ${doc}`,
      text: generateText(seed, `chunk-${n}`, textBytes),
      chunkIndex: n % perDoc,
      vector,
      metadata: { source: `doc-${doc}.txt`, fileType: 'txt' },
    }
  })

/**
 * @param {{dir: string, vectors: Float32Array[], dimension: number, embedderId?: string, efConstruction?: number, m?: number, batch?: number, raw?: boolean, seed?: number, idOffset?: number}} options
 * @returns {Promise<'bento'|'raw'>} which writer made it
 */
export const buildStore = async (options) => {
  const { dir, vectors, dimension, raw = false } = options
  await fse.ensureDir(dir)
  if (!raw) {
    let mod
    try {
      mod = await loadStoreModule()
    } catch {
      mod = undefined
    }
    if (mod) {
      const extra = {}
      if (options.efConstruction !== undefined) extra.efConstruction = options.efConstruction
      if (options.m !== undefined) extra.m = options.m
      const store = await mod.openStore({
        dir,
        dimension,
        space: 'cosine',
        embedderId: options.embedderId ?? LOCAL_EMBEDDER_ID(dimension),
        create: true,
        initialCapacity: vectors.length,
        ...extra,
      })
      const batch = options.batch ?? 2000
      for (let i = 0; i < vectors.length; i += batch) {
        await store.add(chunksFor(vectors.slice(i, i + batch), { seed: options.seed, offset: i + (options.idOffset ?? 0) }))
      }
      // Adds after the first append to the commit log; the backend folds a log that large into the base files
      // (compactionDue), the store API alone does not. Folded here, so the index file a raw baseline reads holds
      // every point and Bento searches and opens the store a server would have, not a 2k base plus an 8k log.
      if (vectors.length > batch) await store.compact()
      await store.close()
      return 'bento'
    }
  }
  await writeRawStore(options)
  return 'raw'
}

/** hnswlib-node + LangChain's docstore layout, nothing of Bento's. */
export const writeRawStore = async ({ dir, vectors, dimension, efConstruction = 200, m = 16, seed = 1 }) => {
  await fse.ensureDir(dir)
  const index = new HierarchicalNSW('cosine', dimension)
  index.initIndex(Math.max(1, vectors.length), m, efConstruction, 100)
  vectors.forEach((vector, label) => index.addPoint(Array.from(vector), label))
  await index.writeIndex(path.join(dir, 'hnswlib.index'))
  const docstore = chunksFor(vectors, { seed }).map((chunk, label) => [
    String(label),
    { pageContent: chunk.text, metadata: { documentId: chunk.documentId, title: chunk.title, chunkIndex: chunk.chunkIndex, ...chunk.metadata } },
  ])
  await fse.outputFile(path.join(dir, 'docstore.json'), JSON.stringify(docstore))
  await fse.outputFile(path.join(dir, 'args.json'), JSON.stringify({ space: 'cosine', numDimensions: dimension }))
}
