/**
 * The one ingestion path, shared by `bento add` and the server's upload route,
 * in two steps so many files can share one store commit:
 *
 * - `prepareDocument` validates the file name, extracts, chunks and embeds.
 *   It writes nothing, so it may run without the scope's lock.
 * - `commitDocuments` (the caller holds the scope's lock and has validated the
 *   scope) writes each original to `<uploadsDir>/<documentId>/<fileName>`
 *   atomically, deletes the old chunks of documents ingested before (one store
 *   commit), then adds every new chunk (one store commit).
 *
 * A crash after the uploads and before the add leaves upload dirs without
 * vectors (orphans), never vectors without their upload: `bento inspect --verify`
 * reports them, and ingesting the same files again is idempotent — same id,
 * same path, old chunks replaced — so a retry repairs it. An orphan was never
 * acknowledged, so the next commit into the scope removes any that remain.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { ConflictError, EmbedderMismatchError, EmptyFileError, UnsafePathError, UpstreamError } from '../errors.js'
import { crashPoint } from '../faults.js'
import { assertLocksHeld } from '../lock.js'
import type { Embedder } from '../embeddings/types.js'
import type { ChunkInput, VectorStore } from '../store/types.js'
import { chunkText } from './chunk.js'
import { assertDocumentId, documentIdFor, isDocumentId } from './document-id.js'
import { extractText } from './extract.js'
export { warmExtractWorkers } from './extract-pool.js'
import { describeFile } from './file-type.js'
import { assertValidFileName } from './file-name.js'
import type { ChunkOptions, FileType, IngestLimits } from './types.js'
import { removeDocumentFiles } from './upload-files.js'

export interface PrepareDeps {
  embedder: Embedder
  /** Checked against the embedder before any work when given; `commitDocuments` checks again under the lock. */
  store?: VectorStore
  limits?: IngestLimits
  chunk?: ChunkOptions
  now?: () => Date
}

export interface CommitDeps {
  store: VectorStore
  embedder: Embedder
  /** The scope's uploads dir (from `layout.uploadsDir(scope)`), created symlink-free by the caller. */
  uploadsDir: string
}

export type IngestDeps = PrepareDeps & CommitDeps

export interface IngestInput {
  /** The upload's base name, used verbatim as the stored file's name. */
  fileName: string
  bytes: Uint8Array
  /** Merged into every chunk's metadata after Bento's own keys. */
  metadata?: Record<string, unknown>
}

/** One upload, extracted, chunked and embedded: everything a commit writes. */
export interface PreparedDocument {
  documentId: string
  title: string
  fileName: string
  fileType: FileType
  bytes: Uint8Array
  chunks: ChunkInput[]
}

export interface IngestResult {
  documentId: string
  title: string
  chunks: number
  fileType: FileType
  bytes: number
}

/** Refuses a store built by another embedder (or dimension): its vectors and the new ones would not compare. */
export const assertStoreAccepts = (store: VectorStore, embedder: Embedder): void => {
  const { dimension, embedderId } = store.stats()
  if ((embedderId !== undefined && embedderId !== embedder.id) || (dimension !== undefined && dimension !== embedder.dimension)) {
    throw new EmbedderMismatchError(
      `This store was built with embedder ${embedderId ?? `of dimension ${dimension}`}; the configured embedder is ${embedder.id}. Use the same embedder, or re-create the store.`,
    )
  }
}

/**
 * Threat: a planted symlink at `<uploadsDir>/<documentId>` redirecting the write outside the data dir.
 * Resolves to whether this call created the folder (a failed batch removes only those).
 */
const ensureRealDir = async (dir: string): Promise<boolean> => {
  const existing = await fs.lstatOrUndefined(dir)
  if (existing === undefined) await fs.mkdir(dir)
  const stats = existing ?? (await fs.lstat(dir))
  if (stats.isSymbolicLink() || !stats.isDirectory()) throw new UnsafePathError(`Refusing to write an upload through a symlink: ${dir}`)
  return existing === undefined
}

/** One upload, extracted and chunked, waiting for its vectors. */
export interface ChunkedDocument extends Omit<PreparedDocument, 'chunks'> {
  texts: string[]
  metadata: Record<string, unknown>
}

/**
 * Extracts and chunks one upload; writes nothing and calls no embedder.
 *
 * @example
 * const extracted = await splitDocument({ embedder }, { fileName: 'notes.md', bytes })
 * const [prepared] = withVectors([extracted], await embedder.embed(extracted.texts))
 */
export const splitDocument = async (deps: PrepareDeps, input: IngestInput): Promise<ChunkedDocument> => {
  const fileName = assertValidFileName(input.fileName)
  if (deps.store) assertStoreAccepts(deps.store, deps.embedder)
  const { title, text, fileType } = await extractText(fileName, input.bytes, deps.limits)
  const texts = chunkText(text, deps.chunk)
  if (texts.length === 0) throw new EmptyFileError(`The file ${describeFile(fileName)} contains no text.`)
  const documentId = documentIdFor(fileName, input.bytes)
  const metadata = { source: fileName, fileType, createdAt: (deps.now ?? (() => new Date()))().toISOString(), bytes: input.bytes.length, ...input.metadata }
  return { documentId, title, fileName, fileType, bytes: input.bytes, texts, metadata }
}

/** Pairs extracted documents with the vectors of their texts (all of them, in order); checks the embedder's answer. */
export const withVectors = (documents: readonly ChunkedDocument[], vectors: readonly Float32Array[], embedder: Embedder): PreparedDocument[] => {
  const expected = documents.reduce((sum, document) => sum + document.texts.length, 0)
  if (vectors.length !== expected || vectors.some((vector) => vector.length !== embedder.dimension)) {
    throw new UpstreamError(`The embedder ${embedder.id} returned ${vectors.length} vectors of the wrong shape for ${expected} chunks.`)
  }
  let next = 0
  return documents.map(({ texts, metadata, ...document }) => ({
    ...document,
    chunks: texts.map((text, chunkIndex): ChunkInput => ({
      documentId: document.documentId,
      title: document.title,
      text,
      chunkIndex,
      vector: vectors[next++]!,
      metadata: { ...metadata },
    })),
  }))
}

/**
 * Extracts, chunks and embeds one upload; writes nothing.
 *
 * @example
 * const prepared = await prepareDocument({ embedder }, { fileName: 'notes.md', bytes })
 * // { documentId: 'doc_…', title: 'Notes', fileName: 'notes.md', fileType: 'md', bytes, chunks: [ … ] }
 */
export const prepareDocument = async (deps: PrepareDeps, input: IngestInput): Promise<PreparedDocument> => {
  const extracted = await splitDocument(deps, input)
  return withVectors([extracted], await deps.embedder.embed(extracted.texts), deps.embedder)[0]!
}

/** Writes each original atomically; on a failure, removes the folders this call created, so nothing is half-written. */
const writeUploads = async (uploadsDir: string, documents: PreparedDocument[]): Promise<void> => {
  await assertLocksHeld()
  const created: string[] = []
  try {
    for (const document of documents) {
      const documentDir = path.join(uploadsDir, document.documentId)
      if (await ensureRealDir(documentDir)) created.push(documentDir)
      await fs.writeFileAtomic(path.join(documentDir, document.fileName), document.bytes)
    }
  } catch (error) {
    // Folders this call created go; a folder that was there keeps its previous upload.
    for (const dir of created) await fs.remove(dir).catch(() => {})
    throw error
  }
}

/**
 * Removes upload folders of documents the store does not hold: what a crash
 * between writing uploads and committing their chunks left (deletes remove the
 * upload first, so they leave the opposite). Safe only under the scope's lock,
 * where no other commit is between those two steps. Only `doc_…` names are
 * touched, and `fs.remove` deletes a link itself, never its target.
 */
const removeUnfinishedUploads = async (uploadsDir: string, keep: ReadonlySet<string>): Promise<void> => {
  if (!(await fs.lstatOrUndefined(uploadsDir))?.isDirectory()) return
  await assertLocksHeld()
  for (const entry of await fs.readdirEntries(uploadsDir)) {
    if (isDocumentId(entry.name) && !keep.has(entry.name)) await fs.remove(path.join(uploadsDir, entry.name))
  }
}

/** What to do with an upload whose file name (`source`) a stored document already has. */
export type OnConflict = 'replace' | 'keep-both' | 'reject'
export const ON_CONFLICT_VALUES: readonly OnConflict[] = ['replace', 'keep-both', 'reject']

export interface CommitOptions {
  /** Default `replace`: the stored document of that name goes, in the same store commit as the new one. */
  onConflict?: OnConflict
  /**
   * Documents stored earlier by the same run (a previous batch of `bento add`): never replaced by
   * another of its files, so `a/README.md` and `b/README.md` in one directory both stay.
   */
  keep?: ReadonlySet<string>
}

export interface StoredOutcome extends IngestResult {
  outcome: 'added' | 'replaced'
  /** Ids of the documents this one replaced (its own id when the same file came again). */
  replaced: string[]
}

export interface SkippedOutcome {
  outcome: 'skipped'
  documentId: string
  title: string
  fileName: string
  reason: string
  /** The stored documents of that name. */
  existing: string[]
}

export type CommitOutcome = StoredOutcome | SkippedOutcome

const sourceOf = (metadata: Record<string, unknown>): string | undefined => (typeof metadata.source === 'string' ? metadata.source : undefined)

/**
 * Stores prepared documents: their uploads, then one store commit that removes
 * the documents they replace and adds every new chunk, then the replaced
 * documents' uploads. A document conflicts with stored documents of the same
 * file name; the same file again (same id) is always re-ingested in place.
 * The same document twice in one call is stored once, as its last occurrence.
 * Resolves to one outcome per input, in order.
 *
 * @example
 * await withScopeLock(layout, scope, () =>
 *   commitDocuments({ store, embedder, uploadsDir: layout.uploadsDir(scope) }, [a, b], { onConflict: 'replace' }),
 * ) // [{ outcome: 'replaced', documentId: 'doc_…', replaced: ['doc_…'], title: 'Notes', chunks: 3, fileType: 'md', bytes: 2048 }, …]
 */
export const commitDocuments = async (deps: CommitDeps, prepared: PreparedDocument[], options: CommitOptions = {}): Promise<CommitOutcome[]> => {
  if (prepared.length === 0) return []
  assertStoreAccepts(deps.store, deps.embedder)
  const onConflict = options.onConflict ?? 'replace'
  const latest = new Map<string, PreparedDocument>()
  for (const document of prepared) {
    latest.delete(document.documentId)
    latest.set(document.documentId, document)
  }
  // Threat: a view of the store older than the lock (the lock lost and retaken by a migrate merging
  // documents in) judging the newcomers' uploads unfinished, or missing a document to replace.
  // Checked and re-read under the lock. Test: test/reliability/lock-loss.test.ts.
  await assertLocksHeld()
  await deps.store.refresh()
  const storedDocuments = deps.store.listDocuments()
  const stored = new Set(storedDocuments.map((document) => document.id))
  const bySource = new Map<string, string[]>()
  for (const document of storedDocuments) {
    const source = sourceOf(document.metadata)
    if (source === undefined || options.keep?.has(document.id) || latest.has(document.id)) continue
    bySource.set(source, [...(bySource.get(source) ?? []), document.id])
  }

  const skipped = new Map<string, CommitOutcome>()
  const replacedBy = new Map<string, string[]>()
  for (const document of latest.values()) {
    const others = bySource.get(document.fileName) ?? []
    const existing = stored.has(document.documentId) ? [document.documentId, ...others] : others
    if (onConflict === 'reject' && existing.length > 0) {
      skipped.set(document.documentId, {
        outcome: 'skipped', documentId: document.documentId, title: document.title, fileName: document.fileName, existing,
        reason: `a document named ${JSON.stringify(document.fileName)} already exists (${existing.join(', ')})`,
      })
      continue
    }
    replacedBy.set(document.documentId, onConflict === 'replace' ? existing : existing.filter((id) => id === document.documentId))
  }
  // Two new files of one name both replacing the same stored document: only the first takes it.
  const claimed = new Set<string>()
  for (const [id, replaced] of replacedBy) replacedBy.set(id, replaced.filter((old) => old === id || (!claimed.has(old) && claimed.add(old))))

  const documents = [...latest.values()].filter((document) => !skipped.has(document.documentId))
  if (documents.length > 0) {
    const replacing = [...new Set([...replacedBy.values()].flat())]
    await removeUnfinishedUploads(deps.uploadsDir, new Set([...stored, ...latest.keys()]))
    await writeUploads(deps.uploadsDir, documents)
    crashPoint('ingest.after-upload')
    await deps.store.add(documents.flatMap((document) => document.chunks), { replacing })
    // After the commit: a crash here leaves uploads without chunks, which the next commit removes.
    for (const id of replacing) if (!latest.has(id)) await removeDocumentFiles(deps.uploadsDir, id)
  }
  return prepared.map(({ documentId }): CommitOutcome => {
    const skip = skipped.get(documentId)
    if (skip) return skip
    const { title, chunks, fileType, bytes } = latest.get(documentId)!
    const replaced = replacedBy.get(documentId) ?? []
    return { outcome: replaced.length > 0 ? 'replaced' : 'added', replaced, documentId, title, chunks: chunks.length, fileType, bytes: bytes.length }
  })
}

/**
 * Extracts, chunks, embeds and stores one upload; re-ingesting the same file replaces it,
 * and so does another file of the same name unless `onConflict` says otherwise
 * (`reject` throws `ConflictError`).
 *
 * @example
 * await withScopeLock(layout, scope, () =>
 *   ingestDocument({ store, embedder, uploadsDir: layout.uploadsDir(scope) }, { fileName: 'notes.md', bytes }),
 * ) // { documentId: 'doc_…', title: 'Notes', chunks: 3, fileType: 'md', bytes: 2048 }
 */
export const ingestDocument = async (deps: IngestDeps, input: IngestInput, options: CommitOptions = {}): Promise<StoredOutcome> => {
  const [result] = await commitDocuments(deps, [await prepareDocument(deps, input)], options)
  if (result!.outcome === 'skipped') throw new ConflictError(`Not stored: ${result!.reason}.`)
  return result!
}

export { removeDocumentFiles }
