/**
 * Writes a directory exactly as LangChain.js's `HNSWLib.save` does (hnswlib.index, args.json,
 * docstore.json; no bento.json), with raw hnswlib-node: LangChain itself is not installed.
 * The logic mirrors test/core/store/langchain-compat.test.ts `saveAsLangChain`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import hnswlib from 'hnswlib-node'

export interface LangChainItem {
  vector: ArrayLike<number>
  pageContent: string
  metadata?: Record<string, unknown>
}

/** `HNSWLib.fromDocuments(...).save(dir)`: labels 0…n-1, cosine space. */
export const saveAsLangChain = async (dir: string, dimension: number, items: LangChainItem[]): Promise<void> => {
  const index = new hnswlib.HierarchicalNSW('cosine', dimension)
  index.initIndex(items.length)
  const docs: Array<[string, { pageContent: string; metadata: Record<string, unknown> }]> = []
  items.forEach((item, i) => {
    index.addPoint(Array.from(item.vector), i)
    docs.push([String(i), { pageContent: item.pageContent, metadata: item.metadata ?? {} }])
  })
  await mkdir(dir, { recursive: true })
  await index.writeIndex(path.join(dir, 'hnswlib.index'))
  await writeFile(path.join(dir, 'args.json'), JSON.stringify({ space: 'cosine', numDimensions: dimension }))
  await writeFile(path.join(dir, 'docstore.json'), JSON.stringify(docs))
}

/** `HNSWLib.load(dir)` then `addDocuments` then `save(dir)` over a store Bento wrote: bento.json is left as it was. */
export const addAsLangChain = async (dir: string, items: LangChainItem[]): Promise<void> => {
  const args = JSON.parse(await readFile(path.join(dir, 'args.json'), 'utf8')) as { space: 'cosine'; numDimensions: number }
  const index = new hnswlib.HierarchicalNSW(args.space, args.numDimensions)
  await index.readIndex(path.join(dir, 'hnswlib.index'))
  const docs = new Map(JSON.parse(await readFile(path.join(dir, 'docstore.json'), 'utf8')) as Array<[string, unknown]>)
  const start = index.getCurrentCount()
  if (start + items.length > index.getMaxElements()) index.resizeIndex(start + items.length)
  items.forEach((item, i) => {
    index.addPoint(Array.from(item.vector), start + i)
    docs.set(String(start + i), { pageContent: item.pageContent, metadata: item.metadata ?? {} })
  })
  await index.writeIndex(path.join(dir, 'hnswlib.index'))
  await writeFile(path.join(dir, 'docstore.json'), JSON.stringify([...docs]))
}
