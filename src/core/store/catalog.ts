/**
 * `bento-catalog.json`: the documents the base files hold (what `listDocuments`
 * answers) and the labels of each, written by every full commit beside the
 * docstore. With the commit log replayed over it, it is all an append needs: a
 * name-conflict check, the labels a replace deletes and the document count of
 * the next manifest. So `bento add` of one file into a large scope reads this
 * and the log instead of parsing the whole docstore and loading the index
 * (`openStore({ lazy: true })`, catalog-snapshot.ts). LangChain ignores it.
 *
 *   {"format": "bento-catalog", "version": 1, "documents": [
 *     {"id", "title", "chunks", "bytes", "metadata", "firstIndex", "labels": [[first label, count], …]}, …]}
 */
import { chunkFromRecord, documentIdOf, type DocRecord, type Docstore } from './docstore.js'
import type { LogRecord } from './log-file.js'
import { MAX_LABEL } from './manifest.js'
import type { DocumentSummary } from './types.js'

export const CATALOG_FORMAT = 'bento-catalog'
export const CATALOG_VERSION = 1

export interface CatalogEntry extends DocumentSummary {
  /** The chunk index whose title and metadata the summary shows (the lowest, as `listDocuments`). */
  firstIndex: number
  labels: number[]
}

export interface Catalog {
  documents: Map<string, CatalogEntry>
  /** label → document id; built at the first deletion that needs it. */
  owners: Map<number, string> | undefined
}

const textBytes = (record: DocRecord): number => Buffer.byteLength(record.pageContent, 'utf8')

/** Adds one live point to the catalog, as `listDocuments` would count it. */
const addPoint = (catalog: Catalog, label: number, record: DocRecord): void => {
  const id = documentIdOf(label, record)
  const known = catalog.documents.get(id)
  catalog.owners?.set(label, id)
  if (!known) {
    const chunk = chunkFromRecord(label, record)
    catalog.documents.set(id, { id, title: chunk.title, chunks: 1, bytes: textBytes(record), metadata: chunk.metadata, firstIndex: chunk.chunkIndex, labels: [label] })
    return
  }
  known.chunks++
  known.bytes += textBytes(record)
  known.labels.push(label)
  const chunk = chunkFromRecord(label, record)
  if (chunk.chunkIndex < known.firstIndex) Object.assign(known, { title: chunk.title, metadata: chunk.metadata, firstIndex: chunk.chunkIndex })
}

/** One pass over a docstore (a full commit's). */
export const catalogFromDocs = (docs: Docstore): Catalog => {
  const catalog: Catalog = { documents: new Map(), owners: undefined }
  for (const [label, record] of docs) addPoint(catalog, label, record)
  return catalog
}

export const summariesOf = (catalog: Catalog): DocumentSummary[] =>
  [...catalog.documents.values()].map(({ id, title, chunks, bytes, metadata }) => ({ id, title, chunks, bytes, metadata }))

export const liveOf = (catalog: Catalog): number => {
  let live = 0
  for (const entry of catalog.documents.values()) live += entry.chunks
  return live
}

const ownersOf = (catalog: Catalog): Map<number, string> => {
  if (catalog.owners) return catalog.owners
  const owners = new Map<number, string>()
  for (const entry of catalog.documents.values()) for (const label of entry.labels) owners.set(label, entry.id)
  return (catalog.owners = owners)
}

/** The document a live label belongs to, or undefined. */
export const ownerOf = (catalog: Catalog, label: number): string | undefined => ownersOf(catalog).get(label)

/**
 * Applies a log record (deletions first). False when the catalog cannot follow it: a label
 * it does not know, or a deletion of part of a document (whose remaining bytes it cannot
 * know); the caller then reads the docstore instead. Changes nothing when false.
 */
export const applyToCatalog = (catalog: Catalog, record: Pick<LogRecord, 'delete' | 'add'>): boolean => {
  const owners = ownersOf(catalog)
  const removing = new Map<string, number>()
  for (const label of record.delete) {
    const id = owners.get(label)
    if (id === undefined) return false
    removing.set(id, (removing.get(id) ?? 0) + 1)
  }
  for (const [id, count] of removing) if (catalog.documents.get(id)!.chunks !== count) return false
  const deleted = new Set(record.delete)
  for (const [label] of record.add) if (owners.has(label) && !deleted.has(label)) return false
  for (const id of removing.keys()) {
    for (const label of catalog.documents.get(id)!.labels) owners.delete(label)
    catalog.documents.delete(id)
  }
  for (const [label, doc] of record.add) addPoint(catalog, label, doc)
  return true
}

/** Labels as runs: a document's chunks are added together, so its labels are mostly one run. */
const toRuns = (labels: number[]): Array<[number, number]> => {
  const runs: Array<[number, number]> = []
  for (const label of labels) {
    const last = runs[runs.length - 1]
    if (last && last[0] + last[1] === label) last[1]++
    else runs.push([label, 1])
  }
  return runs
}

export const serializeCatalog = (catalog: Catalog): string =>
  JSON.stringify({
    format: CATALOG_FORMAT,
    version: CATALOG_VERSION,
    documents: [...catalog.documents.values()].map(({ id, title, chunks, bytes, metadata, firstIndex, labels }) => ({ id, title, chunks, bytes, metadata, firstIndex, labels: toRuns(labels) })),
  })

const isCount = (value: unknown, max = Number.MAX_SAFE_INTEGER): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Undefined for anything that is not exactly a catalog Bento writes (a label twice, a count
 * that disagrees with the labels): the caller then opens the store from its docstore, which
 * checks and reports the store itself. The catalog is an accelerator, never the authority.
 */
export const parseCatalog = (text: string): Catalog | undefined => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isPlainObject(raw) || raw.format !== CATALOG_FORMAT || raw.version !== CATALOG_VERSION || !Array.isArray(raw.documents)) return undefined
  const catalog: Catalog = { documents: new Map(), owners: new Map() }
  for (const entry of raw.documents as unknown[]) {
    if (!isPlainObject(entry)) return undefined
    const { id, title, chunks, bytes, metadata, firstIndex, labels } = entry
    if (typeof id !== 'string' || typeof title !== 'string' || !isCount(chunks) || !isCount(bytes) || !isPlainObject(metadata) || !isCount(firstIndex) || !Array.isArray(labels)) return undefined
    if (catalog.documents.has(id)) return undefined
    const expanded: number[] = []
    for (const run of labels as unknown[]) {
      if (!Array.isArray(run) || run.length !== 2 || !isCount(run[0], MAX_LABEL) || !isCount(run[1]) || run[1] === 0 || run[0] + run[1] - 1 > MAX_LABEL) return undefined
      if (expanded.length + run[1] > chunks) return undefined
      for (let label = run[0]; label < run[0] + run[1]; label++) {
        if (catalog.owners!.has(label)) return undefined
        catalog.owners!.set(label, id)
        expanded.push(label)
      }
    }
    if (expanded.length !== chunks || chunks === 0) return undefined
    catalog.documents.set(id, { id, title, chunks, bytes, metadata, firstIndex, labels: expanded })
  }
  return catalog
}
