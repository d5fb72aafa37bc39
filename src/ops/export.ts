/**
 * `bento export <key>`: one scope as a portable, checksummed archive (the
 * per-scope backup, and the answer to a user asking for a copy of their data),
 * written through the backend's `exportScope`, so any backend can produce it.
 * Read-only: the data dir is left exactly as it was.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { ConflictError, RefusedError, toBentoError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope, ScopeKind } from '../core/keys.js'
import { ARCHIVE_SUFFIX } from './archive/format.js'
import { writeArchive, type WrittenArchive } from './archive/write.js'
import { toRef } from './scope-ref.js'
import type { ExportFailure, ExportResult, ExportRow, OnProgress } from './types.js'

export interface ExportTarget {
  /** A file path, written to a temp name beside it and renamed into place when complete. */
  file?: string
  /** Or a stream (stdout for `-o -`); left open. */
  stream?: NodeJS.WritableStream
  /** Replace an existing file. Default false: an existing file is a `ConflictError`. */
  force?: boolean
}

export interface ExportOptions {
  lockWaitMs?: number
  now?: () => Date
  /** Recorded in the manifest, e.g. `bento-core 0.1.0`. */
  generator?: string
}

export interface ExportAllOptions extends ExportOptions {
  /** Directory the archives go to (`<dir>.bento.tar` each); created if missing. */
  dir: string
  kinds?: ScopeKind[]
  force?: boolean
  onProgress?: OnProgress
}

/** The default archive name of a scope: its directory name, which is a safe file name. */
export const archiveNameOf = (scope: Scope): string => `${scope.dir}${ARCHIVE_SUFFIX}`

/** Threat: an archive written into the data dir would become part of a scope (or of Bento's own state). */
const assertOutsideDataDir = (backend: StorageBackend, file: string): void => {
  const root = backend.dataDir
  if (root === undefined) return
  const relative = path.relative(root, path.resolve(file))
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new RefusedError(`Refusing to write an archive inside the data dir (${file}); choose a path outside ${root}.`)
  }
}

const writeToFile = async (file: string, force: boolean, write: (out: NodeJS.WritableStream) => Promise<WrittenArchive>): Promise<WrittenArchive> => {
  if (!force && (await fsp.lstat(file).catch(() => undefined)) !== undefined) {
    throw new ConflictError(`${file} already exists; pass --force to replace it, or choose another name with -o.`)
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${randomBytes(6).toString('hex')}`)
  try {
    const written = await write(createWriteStream(temp, { flags: 'wx', mode: 0o600 }))
    const handle = await fsp.open(temp, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fsp.rename(temp, file)
    return written
  } catch (error) {
    await fsp.rm(temp, { force: true }).catch(() => {})
    throw error
  }
}

const rowOf = (scope: Scope, file: string, written: WrittenArchive): ExportRow => ({
  ...toRef(scope),
  file,
  bytes: written.bytes,
  manifestSha256: written.manifestSha256,
  createdAt: written.manifest.createdAt,
  embedder: written.manifest.embedder?.id ?? null,
  dimension: written.manifest.embedder?.dimension ?? null,
  documents: written.manifest.counts.documents,
  chunks: written.manifest.counts.chunks,
  memories: written.manifest.counts.memories,
  uploads: written.manifest.counts.uploads,
  conversations: written.manifest.counts.conversations,
  dataBytes: written.manifest.counts.bytes,
})

/**
 * @example
 * const row = await exportScopeArchive(backend, customScope('user-1'), { file: 'user-1.bento.tar' })
 */
export const exportScopeArchive = async (backend: StorageBackend, scope: Scope, target: ExportTarget, options: ExportOptions = {}): Promise<ExportRow> => {
  const now = options.now?.() ?? new Date()
  const generator = options.generator ?? 'bento-core'
  if (target.file !== undefined) assertOutsideDataDir(backend, target.file)
  const written = await backend.exportScope(scope, (snapshot) => {
    const write = (out: NodeJS.WritableStream) => writeArchive(snapshot, out, { now, generator })
    if (target.file !== undefined) return writeToFile(target.file, target.force === true, write)
    if (target.stream === undefined) throw new RefusedError('Nowhere to write the archive.')
    return write(target.stream)
  }, { lockWaitMs: options.lockWaitMs })
  return rowOf(scope, target.file ?? '-', written)
}

/**
 * One archive per scope into `dir`. A scope that cannot be exported (busy,
 * locked, damaged) is reported in `failed` and the others are still written.
 */
export const exportAllScopes = async (backend: StorageBackend, options: ExportAllOptions): Promise<ExportResult> => {
  assertOutsideDataDir(backend, path.join(options.dir, 'x'))
  await fsp.mkdir(options.dir, { recursive: true })
  const scopes: Scope[] = []
  for await (const scope of backend.listScopes({ kinds: options.kinds })) scopes.push(scope)
  const archives: ExportRow[] = []
  const failed: ExportFailure[] = []
  for (const [done, scope] of scopes.entries()) {
    options.onProgress?.({ done, total: scopes.length, label: scope.key })
    try {
      archives.push(await exportScopeArchive(backend, scope, { file: path.join(options.dir, archiveNameOf(scope)), force: options.force }, options))
    } catch (error) {
      const typed = toBentoError(error, `Exporting scope "${scope.key}"`)
      failed.push({ ...toRef(scope), code: typed.code, message: typed.message })
    }
  }
  options.onProgress?.({ done: scopes.length, total: scopes.length })
  return { archives, failed }
}
