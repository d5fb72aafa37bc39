/**
 * The hnswlib-node vector store. Every operation runs on one serial queue; every
 * mutation commits durably (commit.ts) before it resolves, and builds its next state
 * beside the current one so a failed commit changes nothing in memory either.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { BentoError, CorruptStoreError, EmbedderMismatchError, unknownEmbedderError, InvalidInputError, RefusedError, TooLargeError, toBentoError } from '../errors.js'
import { serializeArgs } from './args.js'
import { applyCommit, applyManifest, discardStaged, stageText, type StagedFile } from './commit.js'
import { deleteFromDelta, deltaBytes, deltaPoint, livePoints, mergeKnn, searchDelta } from './delta.js'
import { appendLogRecord, encodeLogRecord, logPath, type LogInfo, type LogRecord } from './log-file.js'
import { applyRecord } from './replay.js'
import { compactionDue } from './compaction.js'
import { chunkFromRecord, documentIdOf, recordFromInput, serializeDocstore, type Docstore } from './docstore.js'
import { ARGS_FILE, CATALOG_FILE, DOCSTORE_FILE, INDEX_FILE, LEXICAL_FILE, MANIFEST_FILE } from './files.js'
import { applyToCatalog, catalogFromDocs, ownerOf, serializeCatalog, summariesOf, type Catalog } from './catalog.js'
import { readCatalogSnapshot, type CatalogSnapshot } from './catalog-snapshot.js'
import { addPassage, createLexicalIndex, remapLabels, removeLabel, searchLexical } from '../lexical/index.js'
import { buildLexical, stageLexical, tryDecodeLexical } from './lexical-file.js'
import { normalizeLikeHnswlib } from './cosine.js'
import { flatFromInfo, pointOf, searchFlat } from './flat-index.js'
import { footprintOf } from './footprint.js'
import { createIndex, loadIndex, releaseIndex, scoreOf, stageIndex, toArray, type Index, type IndexParams } from './hnsw.js'
import { validateIndexFile } from './index-header.js'
import { readIdentity, sameIdentity, type DirIdentity } from './identity.js'
import { noteLocalChange } from '../local-changes.js'
import { crashPoint } from '../faults.js'
import { recoverStore } from './journal.js'
import { MAX_LABEL, serializeManifest } from './manifest.js'
import { createSerialQueue } from './queue.js'
import { readSnapshot, type Snapshot } from './snapshot.js'
import { buildManifest, emptyState, stateFromManifest, stateFromSnapshot, type ResolvedOptions, type StoreState } from './state.js'
import { assertChunks, assertSearchInput } from './validate.js'
import type { AddOptions, ChunkInput, DocumentSummary, ExportedChunk, LexicalSearchHit, LogStats, ReindexStoreOptions, SearchHit, StoreStats, StoredChunk, VectorStore } from './types.js'

/** A lazily read store's object, manifest figures and label maps, beside its catalog. */
const CATALOG_OPEN_BYTES = 16 * 1024
/** A label in the catalog's label → document map and in its document's label array. */
const CATALOG_BYTES_PER_LABEL = 50

export class HnswVectorStore implements VectorStore {
  readonly dir: string
  private state: StoreState
  private identity: DirIdentity
  private readonly options: ResolvedOptions
  private readonly queue = createSerialQueue()
  private closed = false
  private swept = false
  /** True while a mutation has changed the live index in place and not yet committed. */
  private dirty = false
  /** Set when a failed commit could not be followed by a reload: the object no longer knows the disk. */
  private broken: BentoError | undefined
  /** documentId → its live labels; built at the first append or replace that needs it, dropped when the state is replaced. */
  private byDocument: Map<string, number[]> | undefined
  /**
   * Set while the store was read lazily (catalog-snapshot.ts): the state holds the manifest's
   * figures and no docstore, index or lexical index; this answers for the documents. Any
   * operation but stats, listDocuments and an appending add loads the rest first (`run`).
   */
  private catalog: Catalog | undefined

  constructor(dir: string, options: ResolvedOptions, snapshot: Snapshot | CatalogSnapshot) {
    this.dir = dir
    this.options = options
    if ('catalog' in snapshot) {
      this.state = stateFromManifest(snapshot.manifest, options)
      this.catalog = snapshot.catalog
    } else this.state = stateFromSnapshot(snapshot, options)
    this.identity = snapshot.identity
  }

  footprint(): number {
    // Read lazily, it holds the catalog (parsed: about twice its file, plus its label maps) and nothing of the base files.
    if (this.catalog) return CATALOG_OPEN_BYTES + 2 * (this.state.catalogBytes ?? 0) + CATALOG_BYTES_PER_LABEL * this.state.live
    return footprintOf(this.state) + deltaBytes(this.state.delta) + (this.state.log?.bytes ?? 0)
  }

  logStats(): LogStats {
    const { log, live, deleted } = this.state
    const records = log?.records ?? 0
    const added = log?.added ?? 0
    const removed = log?.deleted ?? 0
    return { records, added, deleted: removed, bytes: log?.bytes ?? 0, due: compactionDue({ added, deleted: removed, bytes: log?.bytes ?? 0 }, live + deleted - added) }
  }

  stats(): StoreStats {
    this.assertOpen()
    const { live, deleted, capacity, dimension, space, embedderId, efSearch, revision, lexical, lexicalFile, lexicalProblem } = this.state
    const stats: StoreStats = { live, deleted, capacity, dimension, space, embedderId, efSearch, revision, lexical: lexical !== undefined || lexicalFile !== undefined || this.catalog !== undefined }
    return lexicalProblem === undefined ? stats : { ...stats, lexicalProblem }
  }

  listDocuments(): DocumentSummary[] {
    this.assertOpen()
    if (this.catalog) return summariesOf(this.catalog)
    const documents = new Map<string, DocumentSummary & { firstIndex: number }>()
    for (const [label, record] of this.state.docs) {
      const chunk = chunkFromRecord(label, record)
      const bytes = Buffer.byteLength(chunk.text, 'utf8')
      const known = documents.get(chunk.documentId)
      if (!known) {
        documents.set(chunk.documentId, { id: chunk.documentId, title: chunk.title, chunks: 1, bytes, metadata: chunk.metadata, firstIndex: chunk.chunkIndex })
        continue
      }
      known.chunks++
      known.bytes += bytes
      if (chunk.chunkIndex < known.firstIndex) Object.assign(known, { title: chunk.title, metadata: chunk.metadata, firstIndex: chunk.chunkIndex })
    }
    return [...documents.values()].map(({ firstIndex: _, ...summary }) => summary)
  }

  add(chunks: ChunkInput[], options: AddOptions = {}): Promise<void> {
    return this.mutate(async () => {
      this.assertCompatible()
      const dimension = assertChunks(chunks, this.state.dimension ?? this.options.dimension)
      const replacing = new Set(options.replacing ?? [])
      if (chunks.length === 0 && this.labelsOf(replacing).length === 0) return
      if (this.canAppend() && this.state.nextLabel + chunks.length <= MAX_LABEL) return this.append(this.labelsOf(replacing), chunks)
      if (this.catalog) await this.loadAll()
      await this.loadIndexForWrite()
      if (this.state.nextLabel + chunks.length > MAX_LABEL) await this.rebuild()
      if (this.state.nextLabel + chunks.length > MAX_LABEL) throw new TooLargeError(`The store cannot hold ${chunks.length} more chunks (uint32 labels).`)
      // After a rebuild, which relabels every point.
      const replaced = this.labelsOf(replacing)
      const current = this.state
      const needed = (current.index?.getCurrentCount() ?? 0) + chunks.length
      const capacity = growCapacity(current.capacity, needed)
      const next: StoreState = { ...current, dimension, docs: new Map(current.docs), capacity, embedderId: current.embedderId ?? this.options.embedderId }
      // The indexes are changed in place (copying them per add would cost their whole size);
      // if the commit fails, `mutate` reloads the committed version from disk.
      this.dirty = current.index !== undefined || current.lexical !== undefined
      next.index = current.index ?? createIndex(this.paramsOf(next), capacity)
      // A store found without a lexical index gets one at its first write.
      const lexical = (next.lexical = current.lexical ?? buildLexical(current.docs, this.options.analyzer))
      if (next.index.getMaxElements() < capacity) next.index.resizeIndex(capacity)
      // The replaced documents go in the same commit as the new chunks: a crash leaves the old or the new version.
      for (const label of replaced) {
        if (!deleteFromDelta(next.delta, label)) next.index.markDelete(label)
        next.docs.delete(label)
        removeLabel(lexical, label)
      }
      next.live -= replaced.length
      next.deleted += replaced.length
      chunks.forEach((chunk, i) => {
        const label = current.nextLabel + i
        next.index!.addPoint(this.pointOf(chunk.vector, chunk.stored === true), label)
        next.docs.set(label, recordFromInput(chunk))
        addPassage(lexical, label, chunk.text, chunk.terms)
      })
      next.live += chunks.length
      next.nextLabel += chunks.length
      await this.commit(next)
    }, { lazy: true })
  }

  search(vector: ArrayLike<number>, k: number, filter?: (chunk: StoredChunk) => boolean): Promise<SearchHit[]> {
    return this.run(async () => {
      this.assertCompatible()
      const { index, flat, docs, dimension, live, space } = this.state
      const wanted = assertSearchInput(vector, k, dimension ?? this.options.dimension)
      if ((!index && !flat && !this.state.delta) || live === 0 || wanted === 0) return []
      let filterError: unknown
      // An exception thrown back through hnswlib's native callback is not safe: keep it in JS.
      const accept = filter && ((label: number) => {
        if (filterError !== undefined) return false
        const record = docs.get(label)
        try {
          return record !== undefined && filter(chunkFromRecord(label, record)) === true
        } catch (error) {
          filterError = error
          return false
        }
      })
      const query = this.pointOf(vector, false)
      const { delta } = this.state
      const deltaLive = delta ? delta.count - delta.dead : 0
      const baseLive = live - deltaLive
      const top = Math.min(wanted, live)
      let result = { neighbors: [] as number[], distances: [] as number[] }
      if (baseLive > 0 && (flat || index)) result = flat ? searchFlat(flat, query, Math.min(top, baseLive), accept) : index!.searchKnn(query, Math.min(top, baseLive), accept)
      if (delta && deltaLive > 0) result = mergeKnn(result, searchDelta(delta, query, Math.min(top, deltaLive), accept), top)
      if (filterError !== undefined) throw filterError
      const hits: SearchHit[] = []
      const { neighbors, distances } = result
      for (let i = 0; i < neighbors.length; i++) {
        const label = neighbors[i]!
        const record = docs.get(label)
        if (record === undefined) continue
        const { documentId, title, text, chunkIndex, metadata } = chunkFromRecord(label, record)
        const distance = distances[i]!
        hits.push({ label, documentId, title, text, chunkIndex, metadata, distance, score: scoreOf(space, distance) })
      }
      return hits
    })
  }

  searchLexical(query: string, k: number, filter?: (chunk: StoredChunk) => boolean): Promise<LexicalSearchHit[] | undefined> {
    return this.run(async () => {
      if (typeof query !== 'string') throw new InvalidInputError('searchLexical: the query must be a string.')
      if (typeof k !== 'number' || Number.isNaN(k) || k < 0) throw new InvalidInputError(`searchLexical: k must be a non-negative number, got ${String(k)}.`)
      this.decodeLexical()
      const { lexical, docs } = this.state
      if (!lexical) return undefined
      const accept = filter && ((label: number) => {
        const record = docs.get(label)
        return record !== undefined && filter(chunkFromRecord(label, record)) === true
      })
      const hits: LexicalSearchHit[] = []
      for (const hit of searchLexical(lexical, query, Math.floor(Math.min(k, Number.MAX_SAFE_INTEGER)), accept)) {
        const record = docs.get(hit.label)
        if (record === undefined) continue
        // Named fields, not a spread of the chunk: the spread cost more than the whole BM25 scoring (~8 µs a hit).
        const { label, documentId, title, text, chunkIndex, metadata } = chunkFromRecord(hit.label, record)
        hits.push({ label, documentId, title, text, chunkIndex, metadata, bm25: hit.bm25, score: hit.score, matched: hit.matched })
      }
      return hits
    })
  }

  reindex(options: ReindexStoreOptions = {}): Promise<boolean> {
    return this.mutate(async () => {
      if (this.state.dimension === undefined || (this.state.lexical !== undefined && options.force !== true)) return false
      await this.loadIndexForWrite()
      const current = this.state
      // A forced rebuild keeps the index's analyzer (stop words, stemming); one the store lost takes the store's options.
      await this.commit({ ...current, lexical: buildLexical(current.docs, current.lexical?.analyzer ?? this.options.analyzer) })
      return true
    })
  }

  deleteDocument(documentId: string): Promise<number> {
    return this.deleteDocuments([documentId])
  }

  deleteDocuments(documentIds: readonly string[]): Promise<number> {
    return this.mutate(async () => {
      const labels = this.labelsOf(new Set(documentIds))
      if (labels.length === 0) return 0
      if (this.canAppend()) {
        await this.append(labels, [])
        return labels.length
      }
      await this.loadIndexForWrite()
      const current = this.state
      if (!current.index && !current.delta) return 0
      const next: StoreState = { ...current, docs: new Map(current.docs), live: current.live - labels.length, deleted: current.deleted + labels.length }
      this.dirty = true
      for (const label of labels) {
        if (!deleteFromDelta(next.delta, label)) next.index!.markDelete(label)
        next.docs.delete(label)
        if (next.lexical) removeLabel(next.lexical, label)
      }
      next.lexical ??= buildLexical(next.docs, this.options.analyzer)
      await this.commit(next)
      return labels.length
    })
  }

  private labelsOf(documentIds: ReadonlySet<string>): number[] {
    if (documentIds.size === 0) return []
    const byDocument = this.documentIndex()
    return [...documentIds].flatMap((id) => byDocument.get(id) ?? [])
  }

  private documentIndex(): Map<string, number[]> {
    if (this.byDocument) return this.byDocument
    if (this.catalog) return new Map([...this.catalog.documents].map(([id, entry]) => [id, [...entry.labels]]))
    const byDocument = new Map<string, number[]>()
    for (const [label, record] of this.state.docs) {
      const id = documentIdOf(label, record)
      const labels = byDocument.get(id)
      if (labels) labels.push(label)
      else byDocument.set(id, [label])
    }
    return (this.byDocument = byDocument)
  }

  /** A store whose manifest, base files and lexical file exist takes writes as log appends. */
  private canAppend(): boolean {
    const { revision, lexical, lexicalBytes, dimension, argsBytes } = this.state
    return this.options.appendLog && revision > 0 && (lexical !== undefined || this.catalog !== undefined) && lexicalBytes > 0 && dimension !== undefined && argsBytes !== undefined
  }

  /**
   * A write as one log record: durable in the log, then counted by a new manifest
   * (commit.ts `applyManifest`), then applied to memory. Nothing of the base files
   * is read or rewritten, so it costs the same into a store of any size.
   */
  private async append(deletes: number[], chunks: ChunkInput[]): Promise<void> {
    const current = this.state
    const dimension = current.dimension!
    const vectors = new Float32Array(chunks.length * dimension)
    const add: LogRecord['add'] = chunks.map((chunk, i) => {
      vectors.set(this.pointOf(chunk.vector, chunk.stored === true), i * dimension)
      return [current.nextLabel + i, recordFromInput(chunk)]
    })
    const record: LogRecord = { delete: deletes, add, vectors }
    const before = current.log ?? { bytes: 0, records: 0, added: 0, deleted: 0 }
    await fs.mkdir(this.dir)
    const bytes = await appendLogRecord(this.dir, before.bytes, dimension, encodeLogRecord(record))
    const log: LogInfo = { bytes, records: before.records + 1, added: before.added + add.length, deleted: before.deleted + deletes.length }
    const byDocument = this.documentIndex()
    const { catalog } = this
    const idOf = catalog ? (label: number) => ownerOf(catalog, label)! : (label: number) => documentIdOf(label, current.docs.get(label)!)
    const documents = this.documentsAfter(byDocument, record, idOf)
    const next: StoreState = {
      ...current, log, live: current.live - deletes.length + add.length, deleted: current.deleted + deletes.length, nextLabel: current.nextLabel + add.length,
    }
    const files = { [INDEX_FILE]: current.indexBytes, [DOCSTORE_FILE]: current.docstoreBytes, [ARGS_FILE]: current.argsBytes!, [LEXICAL_FILE]: current.lexicalBytes, [CATALOG_FILE]: current.catalogBytes }
    const manifest = buildManifest({ ...next, embedderId: chunks.length > 0 ? next.embedderId ?? this.options.embedderId : next.embedderId }, files, new Date().toISOString(), documents)
    const staged = await stageText(this.dir, MANIFEST_FILE, serializeManifest(manifest))
    // From the rename on, the disk may hold the new version: a failure reloads what is there.
    this.dirty = true
    await applyManifest(this.dir, staged)
    if (catalog) {
      // Nothing else is in memory to update: a later operation that needs it reads base and log.
      this.byDocument = undefined
      if (!applyToCatalog(catalog, record)) {
        this.replace(await this.load())
        return
      }
      this.state = { ...next, embedderId: manifest.embedderId ?? undefined, revision: manifest.revision, createdAt: manifest.createdAt }
      this.identity = await readIdentity(this.dir)
      return
    }
    const target = { docs: current.docs, lexical: current.lexical, index: current.index, flat: current.flat, delta: current.delta }
    const deletedFrom = deletes.map((label) => [label, documentIdOf(label, current.docs.get(label)!)] as const)
    applyRecord(target, record, dimension, current.space, next.nextLabel, chunks.map((chunk) => chunk.terms))
    for (const [label, id] of deletedFrom) {
      const labels = byDocument.get(id)?.filter((other) => other !== label) ?? []
      if (labels.length > 0) byDocument.set(id, labels)
      else byDocument.delete(id)
    }
    add.forEach(([label, doc]) => {
      const id = documentIdOf(label, doc)
      const labels = byDocument.get(id)
      if (labels) labels.push(label)
      else byDocument.set(id, [label])
    })
    this.state = { ...next, delta: target.delta, embedderId: manifest.embedderId ?? undefined, revision: manifest.revision, createdAt: manifest.createdAt }
    this.identity = await readIdentity(this.dir)
  }

  /** Documents among the live points once `record` is applied (without walking the docstore). */
  private documentsAfter(byDocument: Map<string, number[]>, record: LogRecord, idOf: (label: number) => string): number {
    const change = new Map<string, number>()
    for (const label of record.delete) {
      const id = idOf(label)
      change.set(id, (change.get(id) ?? 0) - 1)
    }
    for (const [label, doc] of record.add) {
      const id = documentIdOf(label, doc)
      change.set(id, (change.get(id) ?? 0) + 1)
    }
    let documents = byDocument.size
    for (const [id, delta] of change) {
      const before = byDocument.get(id)?.length ?? 0
      if (before === 0 && before + delta > 0) documents++
      else if (before > 0 && before + delta === 0) documents--
    }
    return documents
  }

  deleteAll(): Promise<void> {
    return this.mutate(async () => {
      const current = this.state
      if (current.dimension === undefined || current.live + current.deleted + current.nextLabel === 0) return
      const lexical = createLexicalIndex(current.lexical?.analyzer ?? this.options.analyzer)
      await this.commit({ ...current, index: undefined, flat: undefined, delta: undefined, docs: new Map(), live: 0, deleted: 0, nextLabel: 0, capacity: this.options.initialCapacity, lexical })
      this.retire(current.index)
    })
  }

  compact(): Promise<void> {
    return this.mutate(async () => {
      await this.loadIndexForWrite()
      const { deleted, nextLabel, live, log } = this.state
      if (deleted > 0 || nextLabel !== live) await this.rebuild()
      else if (log) await this.commit({ ...this.state })
    })
  }

  compactLog(): Promise<boolean> {
    return this.mutate(async () => {
      if (!this.state.log) return false
      await this.loadIndexForWrite()
      await this.commit({ ...this.state })
      return true
    })
  }

  /**
   * Declares which embedder made the vectors of a store another tool wrote, and writes a
   * manifest recording it (rewriting the base files: a store opened with `ignoreManifest`
   * gets a manifest that matches them again). The caller checks the dimension and holds the lock.
   */
  adoptEmbedder(embedderId: string): Promise<void> {
    return this.mutate(async () => {
      if (typeof embedderId !== 'string' || embedderId === '') throw new InvalidInputError('embedderId must be a non-empty string.')
      if (this.state.dimension === undefined) throw new RefusedError(`There is no store in ${this.dir} to adopt.`)
      await this.loadIndexForWrite()
      await this.commit({ ...this.state, embedderId })
    })
  }

  exportChunks(): Promise<ExportedChunk[]> {
    return this.run(async () => {
      const { index, flat, docs, delta } = this.state
      if (!index && !flat && !delta) return []
      return [...docs].sort(([a], [b]) => a - b).map(([label, record]) => {
        const { label: _, ...chunk } = chunkFromRecord(label, record)
        return { ...chunk, vector: Float32Array.from(this.pointFor(label)) }
      })
    })
  }

  isStale(): Promise<boolean> {
    return this.run(async () => this.broken !== undefined || !sameIdentity(this.identity, await readIdentity(this.dir)), { lazy: true })
  }

  refresh(): Promise<void> {
    return this.run(async () => {
      if (!sameIdentity(this.identity, await readIdentity(this.dir))) await this.reload()
    }, { lazy: true })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue.drain()
    const { index } = this.state
    this.catalog = undefined
    this.state = { ...this.state, index: undefined, flat: undefined, docs: new Map(), lexical: undefined, lexicalFile: undefined }
    // hnswlib frees an index's memory only when the object is collected: hand it on instead.
    this.retire(index)
  }

  /** Rebuilds a fresh index from the live points, relabelled 0..live-1 (also the cure for labels near 2^32). */
  private async rebuild(): Promise<void> {
    const current = this.state
    if (current.dimension === undefined || (current.deleted === 0 && current.nextLabel === current.live)) return
    const docs: Docstore = new Map()
    const capacity = Math.max(current.live, this.options.initialCapacity)
    const next: StoreState = { ...current, docs, deleted: 0, nextLabel: current.live, capacity, index: undefined, delta: undefined, log: current.log }
    const relabel = new Map<number, number>()
    if (current.live > 0) {
      const index = createIndex(this.paramsOf(next), capacity)
      const labels = [...current.docs.keys()].sort((a, b) => a - b)
      labels.forEach((label, i) => {
        index.addPoint(this.pointFor(label), i)
        docs.set(i, current.docs.get(label)!)
        relabel.set(label, i)
      })
      next.index = index
    }
    next.lexical = current.lexical ? remapLabels(current.lexical, relabel) : buildLexical(docs, this.options.analyzer)
    await this.commit(next)
    this.retire(current.index)
  }

  /** A stored point (normalized in a cosine store), wherever it lives: the log's segment, the flat base or hnswlib. */
  private pointFor(label: number): number[] {
    const { delta, flat, index } = this.state
    const fromDelta = deltaPoint(delta, label)
    if (fromDelta) return Array.from(fromDelta)
    return flat ? pointOf(flat, label) : index!.getPoint(label)
  }

  /** The log's live points added to the base index (in place: a failed commit reloads), ready for a full commit. */
  private foldDelta(next: StoreState): StoreState {
    const { delta } = next
    if (!delta) return next
    const live = delta.count - delta.dead
    const index = next.index ?? createIndex(this.paramsOf(next), Math.max(live, 1))
    this.dirty = true
    const capacity = growCapacity(Math.max(next.capacity, index.getMaxElements()), index.getCurrentCount() + live)
    if (index.getMaxElements() < capacity) index.resizeIndex(capacity)
    for (const { label, point } of livePoints(delta)) index.addPoint(Array.from(point), label)
    return { ...next, index, capacity, delta: undefined, deleted: next.deleted - delta.dead }
  }

  private async commit(pending: StoreState): Promise<void> {
    const staged: StagedFile[] = []
    let applying = false
    const hadLog = pending.log !== undefined || this.state.log !== undefined
    const next: StoreState = { ...this.foldDelta(pending), log: undefined }
    try {
      await fs.mkdir(this.dir)
      const index = next.index ?? createIndex(this.paramsOf(next), 1)
      const keepVectors = index.getCurrentCount() <= this.options.exactSearchMaxPoints
      const indexFile = await stageIndex(this.dir, index, { dimension: next.dimension!, capacity: index.getMaxElements(), keepVectors }).finally(() => {
        if (index !== next.index) releaseIndex(index)
      })
      staged.push(indexFile)
      const flat = flatFromInfo(indexFile.info, next.dimension!, next.space)
      staged.push(await stageText(this.dir, DOCSTORE_FILE, serializeDocstore(next.docs)))
      let argsBytes = next.argsBytes
      if (argsBytes === undefined) {
        const args = await stageText(this.dir, ARGS_FILE, serializeArgs({ space: next.space, numDimensions: next.dimension! }))
        staged.push(args)
        argsBytes = args.bytes
      }
      const lexical = next.lexical ?? buildLexical(next.docs, this.options.analyzer)
      const { packed, ...lexicalFile } = await stageLexical(this.dir, lexical)
      staged.push(lexicalFile)
      const catalogFile = await stageText(this.dir, CATALOG_FILE, serializeCatalog(catalogFromDocs(next.docs)))
      staged.push(catalogFile)
      const files = { [INDEX_FILE]: indexFile.bytes, [DOCSTORE_FILE]: staged[1]!.bytes, [ARGS_FILE]: argsBytes, [LEXICAL_FILE]: lexicalFile.bytes, [CATALOG_FILE]: catalogFile.bytes }
      const capacity = next.index?.getMaxElements() ?? next.capacity
      // Only a write that passed assertCompatible sets embedderId (add, adoptEmbedder): a delete or compaction never declares one.
      const manifest = buildManifest({ ...next, capacity }, files, new Date().toISOString())
      staged.push(await stageText(this.dir, MANIFEST_FILE, serializeManifest(manifest)))
      applying = true
      await applyCommit(this.dir, staged)
      const docstoreBytes = staged[1]!.bytes
      this.state = {
        ...next, flat: next.index && flat?.count ? flat : undefined, docstoreBytes, lexicalBytes: lexicalFile.bytes, indexBytes: indexFile.bytes,
        capacity, argsBytes, lexical: packed, lexicalFile: undefined, lexicalProblem: undefined, catalogBytes: catalogFile.bytes, embedderId: manifest.embedderId ?? undefined, revision: manifest.revision, createdAt: manifest.createdAt,
      }
      this.byDocument = undefined
    } catch (error) {
      // Once applying, the journal may already list these temps: they are the new version.
      if (!applying) await discardStaged(staged)
      throw error
    }
    // The manifest no longer counts the log: it is dead weight (left by a crash, the next append cuts it).
    if (hadLog) await fs.remove(logPath(this.dir)).catch(() => undefined)
    crashPoint('store.compact.after-log-removed')
    this.identity = await readIdentity(this.dir)
  }

  /** What hnswlib is handed: cosine vectors normalized here (see cosine.ts), unless already stored so. */
  private pointOf(vector: ArrayLike<number>, stored: boolean): number[] {
    return this.state.space === 'cosine' && !stored ? normalizeLikeHnswlib(vector) : toArray(vector)
  }

  private paramsOf(state: StoreState): IndexParams {
    return { space: state.space, dimension: state.dimension!, m: state.m, efConstruction: state.efConstruction, efSearch: state.efSearch }
  }

  /** `lazy`: the task can run on a store read lazily (it needs no docstore, index or lexical index). */
  private async run<T>(task: () => Promise<T>, { lazy = false }: { lazy?: boolean } = {}): Promise<T> {
    this.assertOpen()
    return this.queue.run(async () => {
      if (this.broken) throw this.broken
      if (this.catalog && !lazy) await this.loadAll()
      return task()
    })
  }

  /**
   * Before changing anything: pick up another process's commit (so it is not
   * overwritten), finish a crashed commit and sweep its temps. Callers hold the
   * scope's lock while mutating, so no other commit is running now.
   */
  private mutate<T>(task: () => Promise<T>, options: { lazy?: boolean } = {}): Promise<T> {
    return this.run(async () => {
      try {
        const now = await readIdentity(this.dir)
        if (!sameIdentity(now, this.identity)) await this.reload()
        if (this.identity.journal !== undefined || !this.swept) {
          await recoverStore(this.dir)
          this.swept = true
          this.identity = await readIdentity(this.dir)
        }
        try {
          this.decodeLexical()
          return await task()
        } catch (error) {
          if (this.dirty) await this.reloadAfterFailure()
          throw toBentoError(error, `Updating the store in ${this.dir}`)
        } finally {
          this.dirty = false
          this.shedIndex()
        }
      } finally {
        // After the files changed: other store objects in this process must not trust a check made before.
        noteLocalChange()
      }
    }, options)
  }

  /**
   * A small store keeps no hnswlib index; a full commit needs one (the committed file stays
   * hnswlib's, for LangChain). Deletions the log made are marked in it as in the flat index.
   */
  private async loadIndexForWrite(): Promise<void> {
    const { flat, index, dimension, capacity } = this.state
    if (!flat || index) return
    const file = path.join(this.dir, INDEX_FILE)
    // loadIndex trusts its file: validate what is there now, as an open does.
    const info = validateIndexFile(await fs.readFile(file), { dimension: dimension!, capacity })
    if (info.count !== flat.count) throw new CorruptStoreError(`${INDEX_FILE}: changed under an open store (${info.count} points, expected ${flat.count}).`)
    const loaded = await loadIndex(file, this.paramsOf(this.state), capacity)
    for (let id = 0; id < flat.count; id++) if (flat.deleted[id] === 1 && info.deleted[id] === 0) loaded.markDelete(flat.labels[id]!)
    this.state = { ...this.state, index: loaded }
  }

  /**
   * The lexical file read at open, decoded now that a search or a write needs it. A damaged
   * one is dropped and reported (`lexicalProblem`): searches run by vector, and the next
   * write commits an index rebuilt from the docstore instead of refusing (the file holds no
   * passage the docstore does not).
   */
  private decodeLexical(): void {
    const { lexicalFile, docs } = this.state
    if (lexicalFile === undefined) return
    const { index, problem } = tryDecodeLexical(lexicalFile, docs)
    this.state = { ...this.state, lexical: index, lexicalFile: undefined, lexicalProblem: problem }
  }

  /** After a mutation: a small store hands its hnswlib index back and searches its flat vectors again. */
  private shedIndex(): void {
    const { flat, index } = this.state
    if (!flat || !index) return
    this.state = { ...this.state, index: undefined }
    releaseIndex(index)
  }

  private async reloadAfterFailure(): Promise<void> {
    try {
      this.replace(await this.load())
    } catch (error) {
      this.broken = toBentoError(error, `Reloading the store in ${this.dir} after a failed update`)
    }
  }

  private load(): Promise<Snapshot> {
    return readSnapshot(this.dir, this.options)
  }

  /** The docstore, index and lexical index of a store read lazily. */
  private async loadAll(): Promise<void> {
    this.replace(await this.load())
  }

  /** Another process committed: read the store again, lazily if it was read so and still can be. */
  private async reload(): Promise<void> {
    const partial = this.catalog ? await readCatalogSnapshot(this.dir) : undefined
    if (!partial) return this.replace(await this.load())
    this.byDocument = undefined
    this.catalog = partial.catalog
    this.state = stateFromManifest(partial.manifest, this.options)
    this.identity = partial.identity
  }

  private replace(snapshot: Snapshot): void {
    this.byDocument = undefined
    this.catalog = undefined
    const previous = this.state.index
    this.state = stateFromSnapshot(snapshot, this.options)
    this.identity = snapshot.identity
    this.retire(previous)
  }

  /** Recycles an index the state no longer holds; ops run one at a time, so nothing else can reach it. */
  private retire(index: Index | undefined): void {
    if (index !== undefined && index !== this.state.index) releaseIndex(index)
  }

  private assertOpen(): void {
    if (this.closed) throw new RefusedError(`The store in ${this.dir} is closed.`)
  }

  private assertCompatible(): void {
    const { embedderId, dimension, live } = this.state
    const wanted = this.options
    if (wanted.embedderId !== undefined && embedderId === undefined && live > 0) throw unknownEmbedderError(dimension)
    const otherEmbedder = wanted.embedderId !== undefined && embedderId !== undefined && wanted.embedderId !== embedderId
    const otherDimension = wanted.dimension !== undefined && dimension !== undefined && wanted.dimension !== dimension
    if (!otherEmbedder && !otherDimension) return
    const built = `embedder "${embedderId ?? 'unknown'}" (dimension ${dimension})`
    const configured = `"${wanted.embedderId ?? 'unknown'}" (dimension ${wanted.dimension ?? dimension})`
    throw new EmbedderMismatchError(
      `This store was built with ${built}, but the configured embedder is ${configured}. ` +
        `Configure embedder "${embedderId ?? `with dimension ${dimension}`}" to use it, or re-ingest the documents into a new scope.`,
    )
  }
}

/** Doubling keeps the number of resizes logarithmic; labels cap it at 2^32-1. */
const growCapacity = (capacity: number, needed: number): number => {
  let next = Math.max(capacity, 1)
  while (next < needed) next *= 2
  return Math.min(next, MAX_LABEL)
}
