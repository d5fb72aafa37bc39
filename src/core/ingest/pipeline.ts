/**
 * The one ingestion path, shared by `bento add` and the server's upload route.
 * The caller holds the scope's lock and has validated the scope; this module
 * validates the file name.
 *
 * Order, so a failure changes as little as possible:
 * 1. extract, chunk and embed — nothing is written if any of it fails;
 * 2. write the original to `<uploadsDir>/<documentId>/<fileName>` atomically;
 * 3. delete the document's old chunks if it was ingested before;
 * 4. add the new chunks (the store commits durably).
 *
 * A crash between 2 and 4 leaves an upload dir without vectors (an orphan):
 * `bento inspect --verify` reports it, and ingesting the same file again is
 * idempotent — same id, same path, old chunks replaced — so a retry repairs it.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { EmbedderMismatchError, EmptyFileError, UnsafePathError, UpstreamError } from '../errors.js'
import { crashPoint } from '../faults.js'
import type { Embedder } from '../embeddings/types.js'
import type { ChunkInput, VectorStore } from '../store/types.js'
import { chunkText } from './chunk.js'
import { assertDocumentId, documentIdFor } from './document-id.js'
import { extractText } from './extract.js'
import { describeFile } from './file-type.js'
import { assertValidFileName } from './file-name.js'
import type { ChunkOptions, FileType, IngestLimits } from './types.js'

export interface IngestDeps {
  store: VectorStore
  embedder: Embedder
  /** The scope's uploads dir (from `layout.uploadsDir(scope)`), created symlink-free by the caller. */
  uploadsDir: string
  limits?: IngestLimits
  chunk?: ChunkOptions
  now?: () => Date
}

export interface IngestInput {
  /** The upload's base name, used verbatim as the stored file's name. */
  fileName: string
  bytes: Uint8Array
  /** Merged into every chunk's metadata after Bento's own keys. */
  metadata?: Record<string, unknown>
}

export interface IngestResult {
  documentId: string
  title: string
  chunks: number
  fileType: FileType
  bytes: number
}

const assertStoreAccepts = (store: VectorStore, embedder: Embedder): void => {
  const { dimension, embedderId } = store.stats()
  if ((embedderId !== undefined && embedderId !== embedder.id) || (dimension !== undefined && dimension !== embedder.dimension)) {
    throw new EmbedderMismatchError(
      `This store was built with embedder ${embedderId ?? `of dimension ${dimension}`}; the configured embedder is ${embedder.id}. Use the same embedder, or re-create the store.`,
    )
  }
}

/** Threat: a planted symlink at `<uploadsDir>/<documentId>` redirecting the write outside the data dir. */
const ensureRealDir = async (dir: string): Promise<void> => {
  await fs.mkdir(dir)
  const stats = await fs.lstat(dir)
  if (stats.isSymbolicLink() || !stats.isDirectory()) throw new UnsafePathError(`Refusing to write an upload through a symlink: ${dir}`)
}

/**
 * Extracts, chunks, embeds and stores one upload; re-ingesting the same file replaces it.
 *
 * @example
 * await withScopeLock(layout, scope, () =>
 *   ingestDocument({ store, embedder, uploadsDir: layout.uploadsDir(scope) }, { fileName: 'notes.md', bytes }),
 * ) // { documentId: 'doc_…', title: 'Notes', chunks: 3, fileType: 'md', bytes: 2048 }
 */
export const ingestDocument = async (deps: IngestDeps, input: IngestInput): Promise<IngestResult> => {
  const fileName = assertValidFileName(input.fileName)
  assertStoreAccepts(deps.store, deps.embedder)
  const { title, text, fileType } = await extractText(fileName, input.bytes, deps.limits)
  const texts = chunkText(text, deps.chunk)
  if (texts.length === 0) throw new EmptyFileError(`The file ${describeFile(fileName)} contains no text.`)
  const vectors = await deps.embedder.embed(texts)
  if (vectors.length !== texts.length || vectors.some((vector) => vector.length !== deps.embedder.dimension)) {
    throw new UpstreamError(`The embedder ${deps.embedder.id} returned ${vectors.length} vectors of the wrong shape for ${texts.length} chunks.`)
  }

  const documentId = documentIdFor(fileName, input.bytes)
  const documentDir = path.join(deps.uploadsDir, documentId)
  await ensureRealDir(documentDir)
  try {
    await fs.writeFileAtomic(path.join(documentDir, fileName), input.bytes)
  } catch (error) {
    // Only removes the folder if it is empty: a previous upload of this document stays.
    await fs.rmdir(documentDir).catch(() => {})
    throw error
  }
  crashPoint('ingest.after-upload')

  if (deps.store.listDocuments().some((document) => document.id === documentId)) await deps.store.deleteDocument(documentId)
  const metadata = { source: fileName, fileType, createdAt: (deps.now ?? (() => new Date()))().toISOString(), bytes: input.bytes.length, ...input.metadata }
  const chunks: ChunkInput[] = texts.map((chunk, chunkIndex) => ({
    documentId,
    title,
    text: chunk,
    chunkIndex,
    vector: vectors[chunkIndex]!,
    metadata: { ...metadata },
  }))
  await deps.store.add(chunks)
  return { documentId, title, chunks: chunks.length, fileType, bytes: input.bytes.length }
}

/**
 * Removes an upload's folder `<uploadsDir>/<documentId>` (never following a
 * link). The id must be `doc_` + 24 hex, so a crafted id cannot name another
 * path. Resolves to whether anything was there.
 *
 * @example
 * await removeDocumentFiles(layout.uploadsDir(scope), 'doc_0123456789abcdef01234567') // true
 */
export const removeDocumentFiles = async (uploadsDir: string, documentId: string): Promise<boolean> => {
  const dir = path.join(uploadsDir, assertDocumentId(documentId))
  const existed = await fs.exists(dir)
  await fs.remove(dir)
  return existed
}
