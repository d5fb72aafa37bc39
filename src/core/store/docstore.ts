/**
 * `docstore.json` exactly as LangChain.js writes it: `JSON.stringify([...map])` of
 * a Map from the label (as a string) to `{pageContent, metadata}`. Bento keeps
 * `documentId`, `title` and `chunkIndex` in the metadata beside the caller's own.
 */
import { CorruptStoreError } from '../errors.js'
import { DOCSTORE_FILE } from './files.js'
import { MAX_LABEL } from './manifest.js'
import type { ChunkInput, StoredChunk } from './types.js'

export interface DocRecord {
  pageContent: string
  metadata: Record<string, unknown>
  /** LangChain's optional Document id, kept as found. */
  id?: string
}

export type Docstore = Map<number, DocRecord>

const LABEL_KEY = /^(0|[1-9][0-9]{0,9})$/

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Parses and checks the shape; every problem is a `CorruptStoreError` naming the entry. */
export const parseDocstore = (text: string, file = DOCSTORE_FILE): Docstore => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new CorruptStoreError(`${file}: not valid JSON.`, error)
  }
  if (!Array.isArray(raw)) throw new CorruptStoreError(`${file}: expected an array of [label, document] pairs.`)
  const docs: Docstore = new Map()
  raw.forEach((entry: unknown, position) => {
    const where = `${file}: entry ${position}`
    if (!Array.isArray(entry) || entry.length !== 2) throw new CorruptStoreError(`${where} is not a [label, document] pair.`)
    const [key, value] = entry as [unknown, unknown]
    const label = typeof key === 'string' && LABEL_KEY.test(key) ? Number(key) : NaN
    if (!(label <= MAX_LABEL)) throw new CorruptStoreError(`${where}: label ${JSON.stringify(key)} is not a uint32 decimal string.`)
    if (docs.has(label)) throw new CorruptStoreError(`${where}: label ${label} appears twice.`)
    if (!isPlainObject(value) || typeof value.pageContent !== 'string') throw new CorruptStoreError(`${where}: pageContent must be a string.`)
    const metadata = value.metadata ?? {}
    if (!isPlainObject(metadata)) throw new CorruptStoreError(`${where}: metadata must be an object.`)
    const record: DocRecord = { pageContent: value.pageContent, metadata }
    if (typeof value.id === 'string') record.id = value.id
    docs.set(label, record)
  })
  return docs
}

export const serializeDocstore = (docs: Docstore): string => JSON.stringify([...docs].map(([label, record]) => [String(label), record]))

export const recordFromInput = (chunk: ChunkInput): DocRecord => ({
  pageContent: chunk.text,
  metadata: { ...chunk.metadata, documentId: chunk.documentId, title: chunk.title, chunkIndex: chunk.chunkIndex },
})

/**
 * Reads a record back as a chunk. Stores adopted from LangChain have no Bento
 * fields: their `source` (what LangChain's loaders set) groups chunks into a document.
 */
export const chunkFromRecord = (label: number, record: DocRecord): StoredChunk => {
  const { documentId, title, chunkIndex, ...metadata } = record.metadata
  const source = typeof metadata.source === 'string' && metadata.source !== '' ? metadata.source : undefined
  const id = typeof documentId === 'string' && documentId !== '' ? documentId : (source ?? `label-${label}`)
  return {
    label,
    documentId: id,
    title: typeof title === 'string' ? title : (source ?? id),
    text: record.pageContent,
    chunkIndex: typeof chunkIndex === 'number' && Number.isInteger(chunkIndex) && chunkIndex >= 0 ? chunkIndex : 0,
    metadata,
  }
}
