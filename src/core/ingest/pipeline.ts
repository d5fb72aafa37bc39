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
import { ConflictError, EmbedderMismatchError, EmptyFileError, UpstreamError, unknownEmbedderError } from '../errors.js'
import { crashPoint } from '../faults.js'
import { assertLocksHeld } from '../lock.js'
import type { Embedder } from '../embeddings/types.js'
import { countStoreTerms } from '../lexical/index.js'
import type { ChunkInput, VectorStore } from '../store/types.js'
import { chunkText } from './chunk.js'
import { documentIdFor } from './document-id.js'
import { extractText } from './extract.js'
export { warmExtractWorkers } from './extract-pool.js'
import { describeFile } from './file-type.js'
import { assertValidFileName } from './file-name.js'
import type { ChunkOptions, FileType, IngestLimits } from './types.js'
import { fsUploadFiles, removeDocumentFiles, type UploadFiles } from './upload-files.js'
export { fsUploadFiles }

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
  /** The scope's kept originals (`backend.uploadFiles(scope)`). */
  uploads?: UploadFiles
  /** Or the scope's uploads dir (from `layout.uploadsDir(scope)`), created symlink-free by the caller. */
  uploadsDir?: string
}


const uploadsOf = (deps: CommitDeps): UploadFiles => {
  if (deps.uploads) return deps.uploads
  if (deps.uploadsDir === undefined) throw new Error('commitDocuments: give uploads or uploadsDir')
  return fsUploadFiles(deps.uploadsDir)
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
  const { dimension, embedderId, live } = store.stats()
  if (embedderId === undefined && live > 0) throw unknownEmbedderError(dimension)
  if ((embedderId !== undefined && embedderId !== embedder.id) || (dimension !== undefined && dimension !== embedder.dimension)) {
    throw new EmbedderMismatchError(
      `This store was built with embedder ${embedderId ?? `of dimension ${dimension}`}; the configured embedder is ${embedder.id}. Use the same embedder, or re-create the store.`,
    )
  }
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

/**
 * Pairs extracted documents with the vectors of their texts (all of them, in order); checks the embedder's answer.
 * Counts each text's terms too: like the vector, before the scope's lock, so the commit only appends postings.
 */
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
      terms: countStoreTerms(text),
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
    const uploads = uploadsOf(deps)
    await uploads.removeUnfinished(new Set([...stored, ...latest.keys()]))
    await uploads.write(documents)
    crashPoint('ingest.after-upload')
    await deps.store.add(documents.flatMap((document) => document.chunks), { replacing })
    // After the commit: a crash here leaves uploads without chunks, which the next commit removes.
    for (const id of replacing) if (!latest.has(id)) await uploads.remove(id)
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
