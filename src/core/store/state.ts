/**
 * A store's in-memory version: what the last commit (or load) put on disk. Mutations
 * build the next state beside it and swap it in only after the commit succeeds.
 */
import { countDocuments, type Docstore } from './docstore.js'
import type { FlatIndex } from './flat-index.js'
import type { Index } from './hnsw.js'
import { createLexicalIndex, type Analyzer, type LexicalIndex } from '../lexical/index.js'
import type { DeltaSegment } from './delta.js'
import type { LogInfo } from './log-file.js'
import { FORMAT, LOG_FORMAT_VERSION, type Manifest } from './manifest.js'
import type { Snapshot } from './snapshot.js'
import type { Space } from './types.js'
import { ARGS_FILE, CATALOG_FILE, DOCSTORE_FILE, INDEX_FILE, LEXICAL_FILE } from './files.js'

export interface StoreState {
  /** Undefined while no point was ever added (or after deleteAll/compact to nothing). */
  index: Index | undefined
  /** A small store's points, searched in JS; while set, `index` is loaded only for a mutation. */
  flat: FlatIndex | undefined
  docs: Docstore
  /** Byte size of docstore.json as last read or written (0 before the first commit). */
  docstoreBytes: number
  /** Byte size of the lexical index file as last read or written (0 without one). */
  lexicalBytes: number
  dimension: number | undefined
  space: Space
  embedderId: string | undefined
  efSearch: number
  efConstruction: number
  m: number
  capacity: number
  live: number
  deleted: number
  nextLabel: number
  revision: number
  createdAt: string | undefined
  /** Byte size of args.json on disk; undefined until it is written. */
  argsBytes: number | undefined
  /** Byte size of hnswlib.index on disk (0 before the first commit). */
  indexBytes: number
  /** Undefined for a store found without one (built at its next write or `reindex`), or while `lexicalFile` waits to be decoded. */
  lexical: LexicalIndex | undefined
  /** The lexical file as read at open, decoded at the first lexical search or write (a cold open only checks it as a whole). */
  lexicalFile: Uint8Array | undefined
  /** Why the lexical file found is not used (damaged or outdated); cleared by the commit that rebuilds it. */
  lexicalProblem: string | undefined
  /** Byte size of the catalog file the manifest records (undefined: none, written at the next full commit). */
  catalogBytes: number | undefined
  /** The commit log as committed (undefined when the base files hold everything). */
  log: LogInfo | undefined
  /** The points the log added, searched beside the base index; undefined without a log. */
  delta: DeltaSegment | undefined
}

export interface ResolvedOptions {
  dimension: number | undefined
  space: Space
  embedderId: string | undefined
  efSearch: number | undefined
  efConstruction: number
  m: number
  initialCapacity: number
  defaultEfSearch: number
  exactSearchMaxPoints: number
  /** How a new store's lexical index analyzes text; an existing index keeps its own. */
  analyzer: Analyzer
  appendLog: boolean
  ignoreManifest: boolean
}

export const emptyState = (options: ResolvedOptions): StoreState => ({
  index: undefined,
  flat: undefined,
  docs: new Map(),
  docstoreBytes: 0,
  lexicalBytes: 0,
  dimension: options.dimension,
  space: options.space,
  embedderId: options.embedderId,
  efSearch: options.efSearch ?? options.defaultEfSearch,
  efConstruction: options.efConstruction,
  m: options.m,
  capacity: options.initialCapacity,
  live: 0,
  deleted: 0,
  nextLabel: 0,
  revision: 0,
  createdAt: undefined,
  argsBytes: undefined,
  indexBytes: 0,
  lexical: createLexicalIndex(options.analyzer),
  lexicalFile: undefined,
  lexicalProblem: undefined,
  catalogBytes: undefined,
  log: undefined,
  delta: undefined,
})

/**
 * A LangChain store (no manifest, or one recording no embedder) keeps its own parameters and an
 * unknown embedder (undefined) until one is declared (`adoptEmbedder`, `bento adopt`): assuming the
 * configured one would search or mix another model's vectors. Test: test/ops/adopt.test.ts.
 */
export const stateFromSnapshot = (snapshot: Snapshot, options: ResolvedOptions): StoreState => {
  const { manifest, info, args } = snapshot
  if (!snapshot.found || !info || !args) return emptyState(options)
  let nextLabel = manifest?.nextLabel ?? 0
  if (!manifest) for (const label of info.labels) nextLabel = Math.max(nextLabel, label + 1)
  return {
    index: snapshot.index,
    flat: snapshot.flat,
    docs: snapshot.docs,
    docstoreBytes: snapshot.docstoreBytes ?? 0,
    lexicalBytes: snapshot.lexicalBytes ?? 0,
    dimension: args.numDimensions,
    space: args.space,
    embedderId: manifest?.embedderId ?? undefined,
    efSearch: snapshot.efSearch,
    efConstruction: manifest?.efConstruction ?? info.efConstruction,
    m: manifest?.m ?? info.m,
    capacity: manifest?.capacity ?? Math.max(info.maxElements, 1),
    live: manifest?.log ? manifest.live : info.count - info.deletedCount,
    deleted: manifest?.log ? manifest.deleted : info.deletedCount,
    nextLabel,
    revision: manifest?.revision ?? 0,
    createdAt: manifest?.createdAt,
    argsBytes: snapshot.argsBytes,
    indexBytes: snapshot.indexBytes ?? 0,
    // A store with a commit log had its lexical file decoded at open, to replay the log into it.
    lexical: snapshot.lexicalIndex,
    lexicalFile: snapshot.lexicalIndex ? undefined : snapshot.lexical,
    lexicalProblem: snapshot.lexicalProblem,
    catalogBytes: snapshot.manifest?.files[CATALOG_FILE],
    log: snapshot.log,
    delta: snapshot.delta,
  }
}

/**
 * A store known from its manifest alone (catalog-snapshot.ts): counts, parameters and file
 * sizes, no index, docstore or lexical index in memory. Only an append may run on it.
 */
export const stateFromManifest = (manifest: Manifest, options: ResolvedOptions): StoreState => ({
  ...emptyState(options),
  lexical: undefined,
  docstoreBytes: manifest.files[DOCSTORE_FILE],
  lexicalBytes: manifest.files[LEXICAL_FILE] ?? 0,
  indexBytes: manifest.files[INDEX_FILE],
  argsBytes: manifest.files[ARGS_FILE],
  catalogBytes: manifest.files[CATALOG_FILE],
  dimension: manifest.dimension,
  space: manifest.space,
  embedderId: manifest.embedderId ?? undefined,
  efSearch: options.efSearch ?? manifest.efSearch,
  efConstruction: manifest.efConstruction,
  m: manifest.m,
  capacity: manifest.capacity,
  live: manifest.live,
  deleted: manifest.deleted,
  nextLabel: manifest.nextLabel,
  revision: manifest.revision,
  createdAt: manifest.createdAt,
  log: manifest.log,
})

export const buildManifest = (state: StoreState, files: Manifest['files'], now: string, documents = countDocuments(state.docs)): Manifest => ({
  format: FORMAT,
  formatVersion: state.log ? LOG_FORMAT_VERSION : 1,
  dimension: state.dimension!,
  space: state.space,
  embedderId: state.embedderId ?? null,
  efSearch: state.efSearch,
  efConstruction: state.efConstruction,
  m: state.m,
  capacity: state.capacity,
  live: state.live,
  deleted: state.deleted,
  documents,
  nextLabel: state.nextLabel,
  revision: state.revision + 1,
  createdAt: state.createdAt ?? now,
  updatedAt: now,
  files,
  ...(state.log ? { log: state.log } : {}),
})
