/**
 * A scope's kept originals. On disk: `<uploadsDir>/<documentId>/<file name>`
 * (`fsUploadFiles`); a database backend keeps them in a table. The ingest commit
 * and the document deletes reach them only through `UploadFiles`.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { assertLocksHeld } from '../lock.js'
import { UnsafePathError } from '../errors.js'
import { assertDocumentId, isDocumentId } from './document-id.js'

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
  await assertLocksHeld()
  const existed = await fs.exists(dir)
  await fs.remove(dir)
  return existed
}

/** One original to keep. */
export interface UploadFile {
  documentId: string
  fileName: string
  bytes: Uint8Array
}

/** A scope's kept originals, as the ingest commit and deletes use them (always under the scope's lock). */
export interface UploadFiles {
  /** Writes each original, replacing one of the same document; on a failure none of those it created remain. */
  write(files: readonly UploadFile[]): Promise<void>
  /** Removes the originals of documents not in `keep`: what a crash between writing them and committing their chunks left. */
  removeUnfinished(keep: ReadonlySet<string>): Promise<void>
  /** Removes one document's original; resolves to whether there was one. */
  remove(documentId: string): Promise<boolean>
  /** Removes every original of the scope. */
  removeAll(): Promise<void>
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

/** Writes each original atomically; on a failure, removes the folders this call created, so nothing is half-written. */
const writeUploads = async (uploadsDir: string, documents: readonly UploadFile[]): Promise<void> => {
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

/** The originals on disk under `uploadsDir`: written atomically, removed without following a link. */
export const fsUploadFiles = (uploadsDir: string, removeAll?: () => Promise<void>): UploadFiles => ({
  write: (files) => writeUploads(uploadsDir, files),
  removeUnfinished: (keep) => removeUnfinishedUploads(uploadsDir, keep),
  remove: (documentId) => removeDocumentFiles(uploadsDir, documentId),
  removeAll: removeAll ?? (async () => {
    await assertLocksHeld()
    await fs.remove(uploadsDir)
  }),
})
