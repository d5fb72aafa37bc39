/**
 * `bento add <key> <paths…>`: ingest files into a scope. A directory adds its
 * supported files recursively (`.txt .md .html .json .pdf .docx`, by
 * extension), skipping symlinks and hidden entries (dot names), in name order
 * (a directory's files, then its subdirectories).
 *
 * Every file named explicitly is read, extracted, chunked and embedded before
 * the first document is written: one that cannot be ingested (missing,
 * unsupported, too large, empty, unreadable) fails the command with its typed
 * error and the scope is left as it was. Files found under a named directory
 * that cannot be ingested are skipped and reported.
 *
 * Documents are committed in batches (`MAX_BATCH_SOURCE_BYTES`,
 * `MAX_BATCH_CHUNKS`), one store commit per batch under the scope's lock;
 * directory files are prepared batch by batch, outside the lock, so a large
 * directory never sits in memory. A failure while committing keeps the batches
 * before it (each document complete); a crash mid-batch leaves at worst uploads
 * without vectors, which `bento inspect --verify` names. Adding the same files
 * again is idempotent and repairs both.
 */
import path from 'node:path'
import { EmbedderMismatchError, NotFoundError, TooLargeError, toBentoError } from '../core/errors.js'
import * as fs from '../core/fs.js'
import { fileTypeFromName, SUPPORTED_EXTENSIONS } from '../core/ingest/file-type.js'
import { resolveLimits } from '../core/ingest/limits.js'
import { createEmbedQueue } from '../core/ingest/embed-queue.js'
import { assertStoreAccepts, commitDocuments, splitDocument, type ChunkedDocument, type OnConflict, type PreparedDocument } from '../core/ingest/pipeline.js'
import type { IngestLimits } from '../core/ingest/types.js'
import type { ScopeQuota, StorageBackend } from '../core/backend/types.js'
import { addedByFiles, admitFiles, assertWithinQuota, isLimited } from './quota.js'
import type { Scope } from '../core/keys.js'
import type { AddResult, OnProgress } from './types.js'
import { finishPendingFor } from './recover.js'

/**
 * A batch is committed once its prepared documents reach either bound (so it
 * may pass one by a single file). Each commit rewrites the whole index, so a
 * batch must hold many files; its prepared documents sit in memory (source
 * bytes, chunk texts, one Float32Array vector per chunk: 4,000 × 384 dims is
 * 6 MB) and the scope's lock is held while it commits, so it must stay small.
 * 8 MB / 4,000 chunks keeps a batch in the tens of MB (commit times: docs/BENCHMARKS.md).
 */
export const MAX_BATCH_SOURCE_BYTES = 8 * 1024 * 1024
export const MAX_BATCH_CHUNKS = 4000

export interface AddOptions {
  onProgress?: OnProgress
  limits?: IngestLimits
  /** A file whose name a stored document already has: `replace` it (default), `keep-both`, or `reject` (skipped and reported). */
  onConflict?: OnConflict
  /** Stored with every chunk of every file. */
  metadata?: Record<string, unknown>
  /** The scope's quota in force (`effectiveQuota`): checked before anything is read, and under the lock before each commit. */
  quota?: ScopeQuota
}

interface Candidate {
  /** As given (explicit) or found under a given directory. */
  source: string
  explicit: boolean
  size: number
}

interface Prepared {
  source: string
  document: PreparedDocument
}

interface Split {
  source: string
  document: ChunkedDocument
}

const isSupported = (name: string) => SUPPORTED_EXTENSIONS.includes(path.extname(name).toLowerCase())

const collect = async (paths: string[], skipped: NonNullable<AddResult['skipped']>): Promise<Candidate[]> => {
  const found: Candidate[] = []
  for (const given of paths) {
    let stats
    try {
      stats = await fs.stat(given)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`No such file or directory: ${given}`)
      throw toBentoError(error, `Reading ${given}`)
    }
    if (!stats.isDirectory()) {
      fileTypeFromName(path.basename(given)) // throws UnsupportedTypeError before anything is added
      found.push({ source: given, explicit: true, size: stats.size })
      continue
    }
    const pending = [given]
    while (pending.length > 0) {
      const dir = pending.pop()!
      const entries = (await fs.readdirEntries(dir)).sort((a, b) => (a.name < b.name ? -1 : 1))
      const subdirs: string[] = []
      for (const entry of entries) {
        const full = path.join(dir, entry.name)
        if (entry.name.startsWith('.')) continue
        if (entry.isSymbolicLink()) skipped.push({ source: full, reason: 'symlink (not followed)' })
        else if (entry.isDirectory()) subdirs.push(full)
        else if (!entry.isFile()) skipped.push({ source: full, reason: 'not a regular file' })
        else if (!isSupported(entry.name)) skipped.push({ source: full, reason: 'unsupported type' })
        else found.push({ source: full, explicit: false, size: (await fs.lstat(full)).size })
      }
      // A directory's files in name order, then its subdirectories in name order.
      pending.push(...subdirs.reverse())
    }
  }
  return found.sort((a, b) => Number(b.explicit) - Number(a.explicit))
}

/** Collects prepared documents and commits them whenever a batch reaches a bound. */
const createBatches = (commit: (items: Prepared[]) => Promise<void>) => {
  let items: Prepared[] = []
  let bytes = 0
  let chunks = 0
  const flush = async (): Promise<void> => {
    if (items.length === 0) return
    const full = items
    items = []
    bytes = 0
    chunks = 0
    await commit(full)
  }
  return {
    flush,
    async push(item: Prepared): Promise<void> {
      items.push(item)
      bytes += item.document.bytes.length
      chunks += item.document.chunks.length
      if (bytes >= MAX_BATCH_SOURCE_BYTES || chunks >= MAX_BATCH_CHUNKS) await flush()
    },
  }
}

/**
 * @example
 * const { documents } = await addFiles(backend, customScope('user-123'), ['./notes.md', './handbook'])
 */
export const addFiles = async (backend: StorageBackend, scope: Scope, paths: string[], options: AddOptions = {}): Promise<AddResult> => {
  const limits = resolveLimits(options.limits)
  const result: AddResult = { key: scope.key, documents: [], skipped: [] }
  const candidates = await collect(paths, result.skipped!)
  for (const candidate of candidates) {
    if (candidate.explicit && candidate.size > limits.maxFileBytes) {
      throw new TooLargeError(`${candidate.source} is ${candidate.size} bytes; the limit is ${limits.maxFileBytes}.`)
    }
  }
  if (candidates.length > 0) await finishPendingFor(backend, [scope])
  // The commit refuses another embedder's store anyway: find out before extracting and embedding every file.
  if (candidates.length > 0 && (await backend.scopeExists(scope))) {
    await backend.withStore(scope, async (store) => assertStoreAccepts(store, backend.embedder), { lazy: true }).catch((error: unknown) => {
      // The store names the fix with a placeholder: it does not know its scope's key.
      throw error instanceof EmbedderMismatchError ? new EmbedderMismatchError(error.message.replace('<key>', scope.key)) : error
    })
  }
  const quota = options.quota ?? {}
  // Every file counted, directories' too: a run that cannot fit is refused before it reads or writes anything.
  if (isLimited(quota) && candidates.length > 0) {
    const files = candidates.map((candidate) => ({ name: path.basename(candidate.source), bytes: candidate.size }))
    if (await backend.scopeExists(scope)) await backend.withStore(scope, (store) => admitFiles(backend, scope, store, quota, files, options.onConflict), { lazy: true })
    else assertWithinQuota(scope, quota, { bytes: 0, documents: 0 }, addedByFiles(undefined, files, options.onConflict))
  }
  let done = 0
  const report = (candidate: Candidate) => options.onProgress?.({ done: done++, total: candidates.length, label: path.basename(candidate.source) })
  const split = async (candidate: Candidate): Promise<Split> => {
    const bytes = await fs.readFile(candidate.source)
    const document = await splitDocument({ embedder: backend.embedder, limits }, { fileName: path.basename(candidate.source), bytes, metadata: options.metadata })
    return { source: candidate.source, document }
  }
  // Chunks wait across files until they fill an embeddings request (a remote API's count and token limits).
  const queue = createEmbedQueue(backend.embedder)
  const embedded = (documents: PreparedDocument[], splits: Split[]): Prepared[] => documents.map((document, i) => ({ source: splits[i]!.source, document }))
  let waiting: Split[] = []
  const enqueue = async (item: Split): Promise<Prepared[]> => {
    waiting.push(item)
    const ready = await queue.push(item.document)
    const done = embedded(ready, waiting.slice(0, ready.length))
    waiting = waiting.slice(ready.length)
    return done
  }
  const drain = async (): Promise<Prepared[]> => {
    const done = embedded(await queue.finish(), waiting)
    waiting = []
    return done
  }

  // Every named file is split and embedded before anything is written: one that cannot be ingested changes nothing.
  const named: Prepared[] = []
  for (const candidate of candidates.filter((c) => c.explicit)) {
    report(candidate)
    let item: Split
    try {
      item = await split(candidate)
    } catch (error) {
      throw toBentoError(error, `Adding ${candidate.source}`)
    }
    named.push(...(await enqueue(item)))
  }
  named.push(...(await drain()))

  const uploads = backend.uploadFiles(scope)
  // Documents this run stored: a later batch's file of the same name never replaces them.
  const stored = new Set<string>()
  const batches = createBatches(async (items) => {
    try {
      const outcomes = await backend.withStore(
        scope,
        async (store) => {
          await admitFiles(backend, scope, store, quota, items.map(({ document }) => ({ name: document.fileName, bytes: document.bytes.length })), options.onConflict)
          return commitDocuments({ store, embedder: backend.embedder, uploads }, items.map((item) => item.document), { onConflict: options.onConflict, keep: stored })
        },
        // Stats, the documents and an append are all a commit needs: a large scope is not loaded for it.
        { write: true, lazy: true },
      )
      outcomes.forEach((doc, i) => {
        const source = items[i]!.source
        if (doc.outcome === 'skipped') return void result.skipped!.push({ source, reason: doc.reason })
        stored.add(doc.documentId)
        result.documents.push({ id: doc.documentId, title: doc.title, chunks: doc.chunks, source, outcome: doc.outcome, replaced: doc.replaced })
      })
    } catch (error) {
      throw toBentoError(error, `Adding ${items.length} files to ${scope.key}`)
    }
  })
  for (const item of named.splice(0)) await batches.push(item)
  for (const candidate of candidates.filter((c) => !c.explicit)) {
    report(candidate)
    if (candidate.size > limits.maxFileBytes) {
      result.skipped!.push({ source: candidate.source, reason: `too large (${candidate.size} bytes)` })
      continue
    }
    let item: Split
    try {
      item = await split(candidate)
    } catch (error) {
      // Found in a directory: reported and skipped.
      result.skipped!.push({ source: candidate.source, reason: toBentoError(error, 'Adding').message })
      continue
    }
    // An embeddings failure (after the embedder's retries) is not this file's fault: it fails the command,
    // keeping the batches committed before it.
    for (const ready of await enqueue(item)) await batches.push(ready)
  }
  for (const ready of await drain()) await batches.push(ready)
  await batches.flush()
  options.onProgress?.({ done, total: candidates.length })
  return result
}
