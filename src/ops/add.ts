/**
 * `bento add <key> <paths…>`: ingest files into a scope. A directory adds its
 * supported files recursively (`.txt .md .html .json .pdf .docx`, by
 * extension), skipping symlinks and hidden entries (dot names), in name order.
 * Files named explicitly must be supported; every named path is checked
 * (exists, type by extension, size) before the first document is added. A named
 * file whose content turns out unreadable (empty, or not what its extension
 * says) fails the command after the files before it were added: each added
 * document is complete, and adding the same files again is idempotent.
 */
import path from 'node:path'
import { NotFoundError, TooLargeError, toBentoError } from '../core/errors.js'
import * as fs from '../core/fs.js'
import { fileTypeFromName, SUPPORTED_EXTENSIONS } from '../core/ingest/file-type.js'
import { resolveLimits } from '../core/ingest/limits.js'
import { ingestDocument } from '../core/ingest/pipeline.js'
import type { IngestLimits } from '../core/ingest/types.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { AddResult, OnProgress } from './types.js'

export interface AddOptions {
  onProgress?: OnProgress
  limits?: IngestLimits
}

interface Candidate {
  /** As given (explicit) or found under a given directory. */
  source: string
  explicit: boolean
  size: number
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
      const entries = (await fs.readdirEntries(dir)).sort((a, b) => (a.name < b.name ? 1 : -1))
      for (const entry of entries) {
        const full = path.join(dir, entry.name)
        if (entry.name.startsWith('.')) continue
        if (entry.isSymbolicLink()) skipped.push({ source: full, reason: 'symlink (not followed)' })
        else if (entry.isDirectory()) pending.push(full)
        else if (!entry.isFile()) skipped.push({ source: full, reason: 'not a regular file' })
        else if (!isSupported(entry.name)) skipped.push({ source: full, reason: 'unsupported type' })
        else found.push({ source: full, explicit: false, size: (await fs.lstat(full)).size })
      }
    }
  }
  return found.sort((a, b) => Number(b.explicit) - Number(a.explicit))
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
  const uploadsDir = backend.layout.uploadsDir(scope)
  let done = 0
  for (const candidate of candidates) {
    options.onProgress?.({ done: done++, total: candidates.length, label: path.basename(candidate.source) })
    if (candidate.size > limits.maxFileBytes) {
      result.skipped!.push({ source: candidate.source, reason: `too large (${candidate.size} bytes)` })
      continue
    }
    try {
      const bytes = await fs.readFile(candidate.source)
      const added = await backend.withStore(
        scope,
        (store) => ingestDocument({ store, embedder: backend.embedder, uploadsDir, limits }, { fileName: path.basename(candidate.source), bytes }),
        { write: true },
      )
      result.documents.push({ id: added.documentId, title: added.title, chunks: added.chunks, source: candidate.source })
    } catch (error) {
      // A file named on the command line fails the command; one found in a directory is reported and skipped.
      if (candidate.explicit) throw toBentoError(error, `Adding ${candidate.source}`)
      result.skipped!.push({ source: candidate.source, reason: toBentoError(error, 'Adding').message })
    }
  }
  options.onProgress?.({ done, total: candidates.length })
  return result
}
