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

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A uint32 in canonical decimal ("0", "42", never "042", "1e3" or " 7"). */
const labelOf = (key: unknown): number => {
  if (typeof key !== 'string' || key.length === 0 || key.length > 10) return NaN
  const label = Number(key)
  return Number.isInteger(label) && label >= 0 && label <= MAX_LABEL && String(label) === key ? label : NaN
}

const corrupt = (file: string, position: number, what: string): never => {
  throw new CorruptStoreError(`${file}: entry ${position}${what}`)
}

/**
 * Parses and checks the shape; every problem is a `CorruptStoreError` naming the entry.
 * One pass over `JSON.parse`'s output that keeps the parsed record objects instead of
 * copying them: copies and a regex per record were a measurable share of a cold open (docs/BENCHMARKS.md).
 */
export const parseDocstore = (text: string, file = DOCSTORE_FILE): Docstore => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new CorruptStoreError(`${file}: not valid JSON.`, error)
  }
  if (!Array.isArray(raw)) throw new CorruptStoreError(`${file}: expected an array of [label, document] pairs.`)
  const docs: Docstore = new Map()
  for (let position = 0; position < raw.length; position++) {
    const entry: unknown = raw[position]
    const fail = (what: string): never => corrupt(file, position, what)
    if (!Array.isArray(entry) || entry.length !== 2) fail(' is not a [label, document] pair.')
    const [key, value] = entry as [unknown, unknown]
    const label = labelOf(key)
    if (Number.isNaN(label)) fail(`: label ${JSON.stringify(key)} is not a uint32 decimal string.`)
    if (!isPlainObject(value) || typeof value.pageContent !== 'string') return fail(': pageContent must be a string.')
    if (value.metadata === undefined) value.metadata = {}
    else if (!isPlainObject(value.metadata)) fail(': metadata must be an object.')
    if (value.id !== undefined && typeof value.id !== 'string') delete value.id
    const size = docs.size
    docs.set(label, value as unknown as DocRecord)
    if (docs.size === size) fail(`: label ${label} appears twice.`)
  }
  return docs
}

export const serializeDocstore = (docs: Docstore): string => JSON.stringify([...docs].map(([label, record]) => [String(label), record]))

export const recordFromInput = (chunk: ChunkInput): DocRecord => ({
  pageContent: chunk.text,
  metadata: { ...chunk.metadata, documentId: chunk.documentId, title: chunk.title, chunkIndex: chunk.chunkIndex },
})

const sourceOf = (record: DocRecord): string | undefined => {
  const { source } = record.metadata
  return typeof source === 'string' && source !== '' ? source : undefined
}

/** The document a record belongs to: Bento's `documentId`, else LangChain's `source`, else its own label. */
export const documentIdOf = (label: number, record: DocRecord): string => {
  const { documentId } = record.metadata
  return typeof documentId === 'string' && documentId !== '' ? documentId : (sourceOf(record) ?? `label-${label}`)
}

/** How many documents `listDocuments()` would list, without building the summaries. */
export const countDocuments = (docs: Docstore): number => {
  const ids = new Set<string>()
  for (const [label, record] of docs) ids.add(documentIdOf(label, record))
  return ids.size
}

/**
 * Reads a record back as a chunk. Stores adopted from LangChain have no Bento
 * fields: their `source` (what LangChain's loaders set) groups chunks into a document.
 */
export const chunkFromRecord = (label: number, record: DocRecord): StoredChunk => {
  const { documentId: _documentId, title, chunkIndex, ...metadata } = record.metadata
  const source = sourceOf(record)
  const id = documentIdOf(label, record)
  return {
    label,
    documentId: id,
    title: typeof title === 'string' ? title : (source ?? id),
    text: record.pageContent,
    chunkIndex: typeof chunkIndex === 'number' && Number.isInteger(chunkIndex) && chunkIndex >= 0 ? chunkIndex : 0,
    metadata,
  }
}
