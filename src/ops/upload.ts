/**
 * Uploads over HTTP: several files, one outcome each. Every file is extracted,
 * chunked and embedded first, without the scope's lock; then the files that
 * could be prepared are stored in one locked store commit, which also removes
 * the documents they replace. A file that cannot be ingested is reported with
 * its error and stores nothing; the others still go in (all or reported, as
 * `bento add`).
 */
import { BentoError, toBentoError } from '../core/errors.js'
import { commitDocuments, prepareDocument, type OnConflict, type PreparedDocument } from '../core/ingest/pipeline.js'
import type { IngestLimits } from '../core/ingest/types.js'
import type { ScopeQuota, StorageBackend } from '../core/backend/types.js'
import { admitFiles, isLimited } from './quota.js'
import type { Scope } from '../core/keys.js'
import type { UploadOutcome } from './types.js'

export interface UploadFileInput {
  fileName: string
  bytes: Uint8Array
}

export interface UploadOptions {
  /** Default `replace`. */
  onConflict?: OnConflict
  /** Stored with every chunk of every file, after Bento's own keys. */
  metadata?: Record<string, unknown>
  limits?: IngestLimits
  /** The scope's quota in force (`effectiveQuota`): checked before extraction and again under the lock, before the commit. */
  quota?: ScopeQuota
  /** Told the original error (with its cause and stack) of each file that could not be prepared. */
  onFileError?: (fileName: string, error: BentoError) => void
}

type Prepared = { index: number; document: PreparedDocument } | { index: number; error: BentoError }

/**
 * @example
 * const outcomes = await uploadDocuments(backend, customScope('user-1'), [{ fileName: 'notes.md', bytes }], { onConflict: 'replace' })
 * // [{ file: 'notes.md', outcome: 'replaced', documentId: 'doc_…', replaced: ['doc_…'], chunks: 3, … }]
 */
export const uploadDocuments = async (backend: StorageBackend, scope: Scope, files: UploadFileInput[], options: UploadOptions = {}): Promise<UploadOutcome[]> => {
  const quota = options.quota ?? {}
  if (isLimited(quota) && files.length > 0) {
    await backend.withStore(scope, (store) => admitFiles(backend, scope, store, quota, files.map((file) => ({ name: file.fileName, bytes: file.bytes.length })), options.onConflict))
  }
  const prepared: Prepared[] = []
  for (const [index, file] of files.entries()) {
    try {
      const document = await prepareDocument({ embedder: backend.embedder, limits: options.limits }, { fileName: file.fileName, bytes: file.bytes, metadata: options.metadata })
      prepared.push({ index, document })
    } catch (error) {
      const failure = toBentoError(error, `Ingesting ${file.fileName}`)
      options.onFileError?.(file.fileName, failure)
      prepared.push({ index, error: failure })
    }
  }
  const ready = prepared.flatMap((item) => ('document' in item ? [item.document] : []))
  const committed = ready.length === 0
    ? []
    : await backend.withStore(scope, async (store) => {
      await admitFiles(backend, scope, store, quota, ready.map((document) => ({ name: document.fileName, bytes: document.bytes.length })), options.onConflict)
      return commitDocuments({ store, embedder: backend.embedder, uploads: backend.uploadFiles(scope) }, ready, { onConflict: options.onConflict })
    }, { write: true })
  let next = 0
  return prepared.map((item): UploadOutcome => {
    const file = files[item.index]!.fileName
    if ('error' in item) return { file, outcome: 'skipped', reason: item.error.message, error: { code: item.error.code, message: item.error.message } }
    const result = committed[next++]!
    if (result.outcome === 'skipped') {
      return { file, outcome: 'skipped', documentId: result.documentId, reason: result.reason, error: { code: 'conflict', message: `Not stored: ${result.reason}.` } }
    }
    const { outcome, documentId, title, chunks, fileType, bytes, replaced } = result
    return { file, outcome, documentId, title, chunks, fileType, bytes, replaced }
  })
}
