/**
 * Reads a store directory into memory as one consistent version, without writing
 * anything (a reader must never touch files a writer in another process is
 * committing). A pending journal is honoured by reading its temps. The read is
 * bracketed by identity checks; if a commit landed meanwhile it is retried, and a
 * mismatch in a stable directory is corruption.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { BusyError, CorruptStoreError, isBentoError, toBentoError } from '../errors.js'
import { parseArgs, type StoreArgs } from './args.js'
import { parseDocstore, type Docstore } from './docstore.js'
import { ARGS_FILE, DOCSTORE_FILE, INDEX_FILE, LEXICAL_FILE, LOG_FILE, MANIFEST_FILE, type CommittedFile } from './files.js'
import { flatFromInfo, type FlatIndex } from './flat-index.js'
import { loadIndex, releaseIndex, type Index } from './hnsw.js'
import { readIdentity, sameIdentity, type DirIdentity } from './identity.js'
import { fileSource, validateIndex, validateIndexFile, type IndexExpectations, type IndexFileInfo } from './index-header.js'
import { readJournal, resolveFiles } from './journal.js'
import { checkLexical, tryDecodeLexical, type LexicalFound } from './lexical-file.js'
import { postingsOf, type LexicalIndex } from '../lexical/index.js'
import { parseManifest, type Manifest } from './manifest.js'
import { decodeLog, logPath, readLogBytes, type LogInfo } from './log-file.js'
import { applyRecord } from './replay.js'
import type { DeltaSegment } from './delta.js'
import { DEFAULT_INITIAL_CAPACITY } from './defaults.js'

export interface Snapshot {
  identity: DirIdentity
  /** False when the directory holds no store at all. */
  found: boolean
  /** Undefined for a store LangChain wrote (adopted at the next commit). */
  manifest?: Manifest
  args?: StoreArgs
  docs: Docstore
  info?: IndexFileInfo
  /** Undefined when the index holds no points (nothing worth 2.5 MB to load), or when `flat` holds them. */
  index?: Index
  /** A small store's vectors, read while validating the file: searched in JS, no hnswlib object. */
  flat?: FlatIndex
  efSearch: number
  /** Byte size of args.json as found. */
  argsBytes?: number
  /** Byte size of hnswlib.index as found. */
  indexBytes?: number
  /** Byte size of docstore.json as found (what a pool charges for the parsed docstore is derived from it). */
  docstoreBytes?: number
  /** The lexical file's bytes, checked as a whole and decoded at first use; undefined for a store without one yet (written before it existed, or LangChain's). */
  lexical?: Uint8Array
  /** Byte size of the lexical file as found (charged by a pool). */
  lexicalBytes?: number
  /** The commit log the manifest counts, replayed into `docs`, `lexical`, the base index's delete marks and `delta`. */
  log?: LogInfo
  delta?: DeltaSegment
  /** With a commit log: the lexical index decoded from `lexical` and the log replayed into it. */
  lexicalIndex?: LexicalIndex
  /** Why the store's lexical file is not used (damaged or outdated: see `LexicalFound`). */
  lexicalProblem?: string
}

const ATTEMPTS = 8

const readRegular = async (file: string, name: CommittedFile): Promise<Buffer | undefined> => {
  const stats = await fs.lstatOrUndefined(file)
  if (stats === undefined) return undefined
  // Threat: a planted symlink making the store read (and search results echo) a file elsewhere.
  if (!stats.isFile()) throw new CorruptStoreError(`${name}: not a regular file.`)
  return fs.readFile(file)
}

/**
 * Validates the index from the file itself, in chunks: it is the largest file (62 MB at
 * 10k × 1536) and hnswlib reads it again, so it is never held whole in this process.
 */
const validateIndexAt = (file: string, expected: IndexExpectations): { info: IndexFileInfo; bytes: number } =>
  fs.withFileReaderSync(file, (stats, readAt) => {
    if (!stats.isFile()) throw new CorruptStoreError(`${INDEX_FILE}: not a regular file.`)
    return { info: validateIndex(fileSource(stats.size, readAt), expected), bytes: stats.size }
  })

/**
 * Threat: a hand-edited manifest (`"capacity": 134217728` on an empty store) making the next
 * add allocate gigabytes: hnswlib aborts the process (SIGABRT) instead of throwing. Growth
 * doubles, so a real capacity is below twice the points ever added, or the store's initial
 * capacity; anything above is refused before any allocation, empty index or not.
 * Test: test/core/store/corrupt-store.test.ts "refuses a manifest capacity …".
 */
const assertSaneCapacity = (manifest: Manifest | undefined, info: IndexFileInfo, initialCapacity: number): void => {
  if (!manifest) return
  const bound = Math.max(2 * info.count, initialCapacity, MIN_CAPACITY_BOUND)
  if (manifest.capacity > bound) {
    throw new CorruptStoreError(`${MANIFEST_FILE}: capacity ${manifest.capacity} is more than a store of ${info.count} points can have (at most ${bound}).`)
  }
}

/** Capacities up to this are never refused (a few hundred MB at most): stores made with a larger `initialCapacity` still open elsewhere. */
const MIN_CAPACITY_BOUND = 65_536

export interface SnapshotOptions {
  efSearch?: number
  defaultEfSearch: number
  /** Stores of at most this many points are read as flat vectors (see flat-index.ts). */
  exactSearchMaxPoints: number
  /** The store's initial capacity, for the manifest capacity check. Default DEFAULT_INITIAL_CAPACITY. */
  initialCapacity?: number
  /** Read the data files as LangChain left them, as if there were no manifest (`StoreOpenOptions.ignoreManifest`). */
  ignoreManifest?: boolean
}

const readOnce = async (dir: string, { efSearch, defaultEfSearch: defaultEf, exactSearchMaxPoints, initialCapacity = DEFAULT_INITIAL_CAPACITY, ignoreManifest }: SnapshotOptions): Promise<Omit<Snapshot, 'identity'>> => {
  const resolved = await resolveFiles(dir, await readJournal(dir))
  const pathOf = (name: CommittedFile) => resolved.get(name) ?? path.join(dir, name)
  const read = (name: CommittedFile) => readRegular(pathOf(name), name)
  const indexFile = pathOf(INDEX_FILE)
  const [manifestBytes, argsBytes, docstoreBytes, indexStats, lexicalBytes] = await Promise.all([
    ignoreManifest ? undefined : read(MANIFEST_FILE), read(ARGS_FILE), read(DOCSTORE_FILE), fs.lstatOrUndefined(indexFile), read(LEXICAL_FILE),
  ])
  if (!manifestBytes && !argsBytes && !docstoreBytes && !indexStats) return { found: false, docs: new Map(), efSearch: efSearch ?? defaultEf }
  // Threat: a planted symlink making the store read a file elsewhere (the open below also refuses one: O_NOFOLLOW).
  if (indexStats && !indexStats.isFile()) throw new CorruptStoreError(`${INDEX_FILE}: not a regular file.`)

  const missing = [
    [ARGS_FILE, argsBytes],
    [DOCSTORE_FILE, docstoreBytes],
    [INDEX_FILE, indexStats],
  ].filter(([, found]) => found === undefined).map(([name]) => name)
  if (missing.length > 0) {
    throw new CorruptStoreError(`${missing.join(', ')} missing ${manifestBytes ? `though ${MANIFEST_FILE} records a store` : `beside the other store files`} in ${dir}.`)
  }
  const manifest = manifestBytes ? parseManifest(manifestBytes.toString('utf8')) : undefined
  const args = parseArgs(argsBytes!.toString('utf8'))
  if (manifest && (manifest.space !== args.space || manifest.dimension !== args.numDimensions)) {
    throw new CorruptStoreError(`${ARGS_FILE}: ${args.space}/${args.numDimensions} disagrees with ${MANIFEST_FILE} (${manifest.space}/${manifest.dimension}).`)
  }
  const ef = efSearch ?? manifest?.efSearch ?? defaultEf
  // A small store (by its manifest) is read once, validated from memory, and kept as vectors: no readIndex.
  if (manifest && manifest.live + manifest.deleted - (manifest.log?.added ?? 0) <= exactSearchMaxPoints) {
    const indexBytes = await readRegular(indexFile, INDEX_FILE)
    if (!indexBytes) throw new CorruptStoreError(`${INDEX_FILE} missing though ${MANIFEST_FILE} records a store in ${dir}.`)
    const info = validateIndexFile(indexBytes, { dimension: args.numDimensions, capacity: manifest.capacity, keepVectors: true })
    assertSaneCapacity(manifest, info, initialCapacity)
    const docs = parseDocstore(docstoreBytes!.toString('utf8'))
    checkAgreement(info, docs, manifest, { [INDEX_FILE]: indexBytes.length, [DOCSTORE_FILE]: docstoreBytes!.length, [ARGS_FILE]: argsBytes!.length })
    const found = readLexical(docs, manifest, lexicalBytes)
    const flat = info.count > 0 ? flatFromInfo(info, args.numDimensions, args.space) : undefined
    const replayed = await replay(dir, manifest, { docs, lexical: undefined, index: undefined, flat, delta: undefined }, args, found)
    const lexical = replayed.problem === undefined ? found.bytes : undefined
    return {
      found: true, manifest, args, docs, info: { ...info, vectors: undefined }, flat, efSearch: ef, argsBytes: argsBytes!.length, indexBytes: indexBytes.length, lexical,
      docstoreBytes: docstoreBytes!.length, lexicalBytes: lexical ? lexicalBytes?.length : undefined, log: manifest.log, delta: replayed.delta, lexicalIndex: replayed.lexical,
      lexicalProblem: found.problem ?? replayed.problem,
    }
  }
  const { info, bytes: indexBytes } = validateIndexAt(indexFile, { dimension: args.numDimensions, capacity: manifest?.capacity })
  assertSaneCapacity(manifest, info, initialCapacity)
  // hnswlib reads the file (validated just above) on a worker thread while this thread parses the
  // docstore: the two largest costs of an open overlap instead of adding up.
  const loading = info.count > 0 ? settle(loadIndex(indexFile,
    { space: args.space, dimension: args.numDimensions, m: info.m, efConstruction: info.efConstruction, efSearch: ef },
    manifest?.capacity ?? info.maxElements)) : undefined
  let docs: Docstore
  let found: LexicalFound
  try {
    docs = parseDocstore(docstoreBytes!.toString('utf8'))
    const sizes: Record<string, number> = { [INDEX_FILE]: indexBytes, [DOCSTORE_FILE]: docstoreBytes!.length, [ARGS_FILE]: argsBytes!.length }
    checkAgreement(info, docs, manifest, sizes)
    found = readLexical(docs, manifest, lexicalBytes)
  } catch (error) {
    void loading?.then((loaded) => 'index' in loaded && releaseIndex(loaded.index))
    throw error
  }

  let index: Index | undefined
  if (loading) {
    const loaded = await loading
    if ('error' in loaded) {
      const { error } = loaded
      throw new CorruptStoreError(`${INDEX_FILE}: hnswlib could not load it (${error instanceof Error ? error.message : String(error)}).`, error)
    }
    index = loaded.index
    if (index.getCurrentCount() !== info.count) {
      releaseIndex(index)
      throw new CorruptStoreError(`${INDEX_FILE}: changed while it was being loaded.`)
    }
  }
  let replayed: Awaited<ReturnType<typeof replay>>
  try {
    replayed = await replay(dir, manifest, { docs, lexical: undefined, index, flat: undefined, delta: undefined }, args, found)
  } catch (error) {
    if (index) releaseIndex(index)
    throw error
  }
  const lexical = replayed.problem === undefined ? found.bytes : undefined
  return {
    found: true, manifest, args, docs, info, index, efSearch: ef, argsBytes: argsBytes!.length, indexBytes, lexical, docstoreBytes: docstoreBytes!.length,
    lexicalBytes: lexical ? lexicalBytes?.length : undefined, log: manifest?.log, delta: replayed.delta, lexicalIndex: replayed.lexical,
    lexicalProblem: found.problem ?? replayed.problem,
  }
}

/**
 * Applies the commit log the manifest counts (none: nothing to do). The lexical file,
 * otherwise decoded at its first use, is decoded here against the base docstore so the
 * log's texts can be added to it (`lexical` in the answer).
 */
const replay = async (dir: string, manifest: Manifest | undefined, target: Parameters<typeof applyRecord>[0], args: StoreArgs, lexicalFile: LexicalFound): Promise<{ delta: DeltaSegment | undefined; lexical: LexicalIndex | undefined; problem?: string }> => {
  const log = manifest?.log
  if (!manifest || !log || log.bytes === 0) return { delta: undefined, lexical: undefined }
  // A damaged file leaves the log replayed without it: the next write rebuilds the index from the docstore.
  const decoded = lexicalFile.bytes ? tryDecodeLexical(lexicalFile.bytes, target.docs) : {}
  target.lexical = decoded.index
  const records = decodeLog(await readLogBytes(logPath(dir), log.bytes), args.numDimensions)
  let added = 0
  let deleted = 0
  for (const record of records) {
    applyRecord(target, record, args.numDimensions, args.space, manifest.nextLabel)
    added += record.add.length
    deleted += record.delete.length
  }
  if (records.length !== log.records || added !== log.added || deleted !== log.deleted) {
    throw new CorruptStoreError(`${LOG_FILE}: holds ${records.length} records (+${added} −${deleted}), ${MANIFEST_FILE} records ${log.records} (+${log.added} −${log.deleted}).`)
  }
  if (target.docs.size !== manifest.live) throw new CorruptStoreError(`${LOG_FILE}: leaves ${target.docs.size} live points, ${MANIFEST_FILE} records ${manifest.live}.`)
  // The log's postings are appended here, with the decode this open already pays: left to the
  // first lexical search, appending a whole log's into a freshly decoded index cost it ~50× (docs/BENCHMARKS.md).
  if (target.lexical) postingsOf(target.lexical)
  return { delta: target.delta, lexical: target.lexical, problem: decoded.problem }
}

/** The lexical file the manifest records, after the open's checks; a file the manifest does not record (none of Bento's commits leaves one) is not trusted. */
const readLexical = (docs: Docstore, manifest: Manifest | undefined, bytes: Buffer | undefined): LexicalFound => {
  const recorded = manifest?.files[LEXICAL_FILE]
  return recorded === undefined ? {} : checkLexical(bytes, recorded, docs)
}

/** What a store LangChain re-saved after Bento wrote it looks like; `bento adopt` rebuilds the manifest from the files. */
const CHANGED_ELSEWHERE = ` (if another tool such as LangChain changed the store, re-declare it: \`bento adopt <key> --embedder <id>\`).`

/** The docstore, the index and the manifest must describe the same points. */
const checkAgreement = (info: IndexFileInfo, docs: Docstore, manifest: Manifest | undefined, sizes: Record<string, number>): void => {
  const live = info.count - info.deletedCount
  for (let id = 0; id < info.count; id++) {
    const label = info.labels[id]!
    if (label >= info.maxElements) throw new CorruptStoreError(`${INDEX_FILE}: label ${label} is not below max_elements ${info.maxElements}.`)
    if (manifest && label >= manifest.nextLabel) throw new CorruptStoreError(`${INDEX_FILE}: label ${label} is not below ${MANIFEST_FILE} nextLabel ${manifest.nextLabel}${CHANGED_ELSEWHERE}`)
    if (info.deleted[id] === 0 && !docs.has(label)) throw new CorruptStoreError(`${DOCSTORE_FILE}: no entry for live label ${label} of ${INDEX_FILE}.`)
  }
  if (docs.size !== live) {
    throw new CorruptStoreError(`${DOCSTORE_FILE}: ${docs.size} entries but ${INDEX_FILE} holds ${live} live points.`)
  }
  if (!manifest) return
  // With a commit log, the manifest counts the base and the log together.
  const baseLive = manifest.live - (manifest.log?.added ?? 0) + (manifest.log?.deleted ?? 0)
  const baseDeleted = manifest.deleted - (manifest.log?.deleted ?? 0)
  if (baseLive !== live || baseDeleted !== info.deletedCount) {
    throw new CorruptStoreError(`${MANIFEST_FILE}: records ${baseLive} live / ${baseDeleted} deleted in the base, ${INDEX_FILE} holds ${live} / ${info.deletedCount}${CHANGED_ELSEWHERE}`)
  }
  if (info.count > 0 && (manifest.m !== info.m || manifest.efConstruction !== info.efConstruction)) {
    throw new CorruptStoreError(`${MANIFEST_FILE}: M/efConstruction ${manifest.m}/${manifest.efConstruction} disagree with ${INDEX_FILE} (${info.m}/${info.efConstruction}).`)
  }
  for (const [name, bytes] of Object.entries(sizes)) {
    const recorded = manifest.files[name as keyof Manifest['files']]
    if (recorded !== bytes) throw new CorruptStoreError(`${name}: ${bytes} bytes, ${MANIFEST_FILE} records ${recorded}${CHANGED_ELSEWHERE}`)
  }
}

const settle = <T>(promise: Promise<T>): Promise<{ index: T } | { error: unknown }> =>
  promise.then((index) => ({ index }), (error: unknown) => ({ error }))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** @throws CorruptStoreError for a damaged store, BusyError if commits keep landing during the read. */
export const readSnapshot = async (dir: string, options: SnapshotOptions): Promise<Snapshot> => {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const before = await readIdentity(dir)
    let outcome: { value: Omit<Snapshot, 'identity'> } | { error: unknown }
    try {
      outcome = { value: await readOnce(dir, options) }
    } catch (error) {
      outcome = { error }
    }
    if (sameIdentity(before, await readIdentity(dir))) {
      if ('value' in outcome) return { ...outcome.value, identity: before }
      throw isBentoError(outcome.error) ? outcome.error : toBentoError(outcome.error, `Reading the store in ${dir}`)
    }
    // A commit landed during the read: its index is discarded, and recycled rather than left for a GC.
    if ('value' in outcome && outcome.value.index) releaseIndex(outcome.value.index)
    await sleep(5 * attempt)
  }
  throw new BusyError(`The store in ${dir} kept changing while being read; try again shortly.`)
}
