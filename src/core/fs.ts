/**
 * The one door to the filesystem. Every fs call Bento makes on the data dir goes
 * through here (as rimraf routes every call through one facade), so tests can
 * inject ENOSPC/EIO/EACCES or a SIGKILL at any call (see `faults.ts`).
 *
 * Nothing here follows a symlink when removing: `remove` deletes a link, never
 * its target.
 */
import * as fsp from 'node:fs/promises'
import { closeSync, constants as fsConstants, fstatSync, lstatSync, opendirSync as fsOpendirSync, openSync, readdirSync, readFileSync, readSync, renameSync as nodeRenameSync } from 'node:fs'
import type { Dir, Dirent, Stats } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { checkFault } from './faults.js'

const guard = <Args extends unknown[], R>(op: string, fn: (p: string, ...args: Args) => Promise<R>) =>
  async (p: string, ...args: Args): Promise<R> => {
    checkFault(op, p)
    return fn(p, ...args)
  }

export const readFile = guard('readFile', (p: string) => fsp.readFile(p))
export const readText = guard('readFile', (p: string) => fsp.readFile(p, 'utf8'))
export const lstat = guard('lstat', (p: string) => fsp.lstat(p))
export const stat = guard('stat', (p: string) => fsp.stat(p))
export const readdir = guard('readdir', (p: string) => fsp.readdir(p))
export const readdirEntries = guard('readdir', (p: string): Promise<Dirent[]> => fsp.readdir(p, { withFileTypes: true }))
/**
 * Sync twins for tight walks (`measureTree` over 100k scopes): no promise and no
 * thread-pool hop per entry, which made an async walk cost several times the CPU
 * of GNU du (figures: docs/BENCHMARKS.md).
 * Same fault ops as the async calls.
 */
/** `lstat` that answers undefined for a missing path. */
export const lstatSyncOrUndefined = (p: string): Stats | undefined => {
  checkFault('lstat', p)
  return lstatSync(p, { throwIfNoEntry: false })
}
/** A directory read in batches of 256 entries per syscall: a listing of 100k scopes holds one batch, never every name. */
export const opendirSync = (p: string): Dir => {
  checkFault('opendir', p)
  return fsOpendirSync(p, { bufferSize: 256 })
}
export const readdirEntriesSync = (p: string): Dirent[] => {
  checkFault('readdir', p)
  return readdirSync(p, { withFileTypes: true })
}
/** Reads a small file a walk just lstat'ed; never follows a link swapped in since (O_NOFOLLOW), never blocks on a FIFO. */
export const readTextSyncNoFollow = (p: string): string => {
  checkFault('readFile', p)
  const fd = openSync(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK)
  try {
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}
/** Reused by `readSmallTextSyncNoFollow` (sync, so never shared by two reads at once). */
const smallReadBuffer = Buffer.allocUnsafe(4096)
/**
 * `readTextSyncNoFollow` of a file a walk just lstat'ed at `size` bytes: one read of up to
 * `size + 1` bytes, so a file that has not grown costs no fstat and no second read (on 10k
 * small scopes du read each activity file this way); one that grew since is read whole.
 */
export const readSmallTextSyncNoFollow = (p: string, size: number): string => {
  checkFault('readFile', p)
  const fd = openSync(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK)
  try {
    const buffer = size < smallReadBuffer.length ? smallReadBuffer : Buffer.allocUnsafe(size + 1)
    const read = readSync(fd, buffer, 0, size + 1, 0)
    return read <= size ? buffer.toString('utf8', 0, read) : readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}
/**
 * Reads a big file in positioned chunks, never through a link swapped in since an
 * lstat (O_NOFOLLOW) and never blocking on a FIFO: `use` gets the open file's
 * stats and a `readAt(buffer, length, position)` answering the bytes read.
 * One fault op (`readFile`), as a whole-file read.
 */
export const withFileReaderSync = <T>(p: string, use: (stats: Stats, readAt: (buffer: Uint8Array, length: number, position: number) => number) => T): T => {
  checkFault('readFile', p)
  const fd = openSync(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK)
  try {
    return use(fstatSync(fd), (buffer, length, position) => readSync(fd, buffer, 0, length, position))
  } finally {
    closeSync(fd)
  }
}
/** Reads a whole file, never through a link swapped in since an lstat (O_NOFOLLOW), never blocking on a FIFO. */
export const readFileNoFollow = guard('readFile', async (p: string): Promise<Buffer> => {
  const handle = await fsp.open(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK)
  try {
    return await handle.readFile()
  } finally {
    await handle.close()
  }
})
/** Streams a directory's entries without building one big array (100k scopes). */
export const opendir = guard('opendir', (p: string): Promise<Dir> => fsp.opendir(p, { bufferSize: 256 }))
export const mkdir = guard('mkdir', async (p: string): Promise<void> => {
  await fsp.mkdir(p, { recursive: true })
})
export const unlink = guard('unlink', (p: string) => fsp.unlink(p))
export const rmdir = guard('rmdir', (p: string) => fsp.rmdir(p))
export const utimes = guard('utimes', (p: string, time: Date) => fsp.utimes(p, time, time))
export const copyFile = guard('copyFile', (p: string, to: string) => fsp.copyFile(p, to, fsp.constants.COPYFILE_EXCL))
export const symlink = guard('symlink', (p: string, target: string) => fsp.symlink(target, p))

export const rename = async (from: string, to: string): Promise<void> => {
  checkFault('rename', from)
  await fsp.rename(from, to)
}

/** Removes a file, a link or a whole tree; never follows a symlink. Missing is fine. */
export const remove = guard('rm', (p: string) => fsp.rm(p, { recursive: true, force: true, maxRetries: 2 }))

/** Entries of one dir removed at once by `removeTreeConcurrently`. */
const REMOVE_AT_ONCE = 64

const ignoreGone = async (call: Promise<unknown>): Promise<void> => {
  try {
    await call
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/**
 * `remove` for trees of many small files (cleanup's trash): one syscall per file (the
 * unlink) and three per dir (lstat, listing, rmdir), the entries of a dir removed
 * concurrently. Node's `rm` pays an lstat and often a failed rmdir per entry, one after
 * another; here the kernel's waits (an rmdir can block for milliseconds on a busy disk)
 * overlap on the thread pool. Missing is fine.
 * Threat: a dir swapped for a link after it was listed; each dir is lstat'ed right before
 * it is read, and a link is unlinked (a name removed, never its target), never entered.
 */
export const removeTreeConcurrently = guard('rm', async (p: string): Promise<void> => {
  const removeDir = async (dir: string): Promise<void> => {
    const stats = await fsp.lstat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
    if (stats === undefined) return
    if (!stats.isDirectory()) return ignoreGone(fsp.unlink(dir))
    const entries = await fsp.readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return []
      throw error
    })
    for (let start = 0; start < entries.length; start += REMOVE_AT_ONCE) {
      await Promise.all(entries.slice(start, start + REMOVE_AT_ONCE).map(async (entry) => {
        const child = path.join(dir, entry.name)
        if (entry.isDirectory()) return removeDir(child)
        try {
          await fsp.unlink(child)
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code
          // Listed as a file, a dir by now: removed as one, after its own lstat.
          if (code === 'EISDIR' || code === 'EPERM') await removeDir(child)
          else if (code !== 'ENOENT') throw error
        }
      }))
    }
    await ignoreGone(fsp.rmdir(dir))
  }
  await removeDir(p)
})

/** Sync `rename`, for a batch of dir moves that would otherwise pay a thread-pool hop each. */
export const renameSync = (from: string, to: string): void => {
  checkFault('rename', from)
  nodeRenameSync(from, to)
}

/** Creates an empty file, failing if it exists; not fsynced (the caller fsyncs its directory). */
export const createEmptyFileSync = (p: string): void => {
  checkFault('writeFile', p)
  closeSync(openSync(p, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o644))
}

export const exists = async (p: string): Promise<boolean> => {
  try {
    await lstat(p)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/** lstat that answers undefined for a missing path. */
export const lstatOrUndefined = async (p: string): Promise<Stats | undefined> => {
  try {
    return await lstat(p)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

export const fsyncFile = guard('fsync', async (p: string): Promise<void> => {
  const handle = await fsp.open(p, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
})

/** Makes a rename or unlink in `dir` durable: a directory is synced as a file opened read-only. */
export const fsyncDir = (dir: string): Promise<void> => fsyncFile(dir)

/** Writes a new file and fsyncs it; fails if it exists (temp names are unique). */
export const writeFileDurable = guard('writeFile', async (p: string, data: string | Uint8Array): Promise<void> => {
  const handle = await fsp.open(p, 'wx')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
})

/** Writes a new file from a stream of chunks and fsyncs it; fails if it exists. A failed stream leaves a partial file for the caller to remove. */
export const writeStreamDurable = guard('writeFile', async (p: string, chunks: AsyncIterable<Uint8Array>): Promise<number> => {
  const handle = await fsp.open(p, 'wx')
  let bytes = 0
  try {
    for await (const chunk of chunks) {
      await handle.write(chunk)
      bytes += chunk.byteLength
    }
    await handle.sync()
    return bytes
  } finally {
    await handle.close()
  }
})

export const tempPathFor = (target: string): string =>
  path.join(path.dirname(target), `.${path.basename(target)}.tmp-${randomBytes(6).toString('hex')}`)

/** True for the temp names `tempPathFor` makes, so an open can sweep strays. */
export const isTempName = (name: string): boolean => /^\..+\.tmp-[0-9a-f]{12}$/.test(name)

/**
 * Writes `data` at `offset` of an append-only file (created if missing) after cutting
 * whatever lies beyond `offset` (a torn tail of a write that never counted), then
 * fsyncs it. Never follows a link, never blocks on a FIFO. Answers whether the file
 * was created (the caller then fsyncs the directory).
 */
export const writeAtDurable = guard('writeFile', async (p: string, offset: number, data: Uint8Array): Promise<{ created: boolean }> => {
  const handle = await fsp.open(p, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK, 0o644)
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw Object.assign(new Error(`Not a regular file: ${p}`), { code: 'EINVAL' })
    if (stats.size < offset) throw Object.assign(new Error(`${p} holds ${stats.size} bytes, fewer than the ${offset} written before`), { code: 'ESHORT' })
    if (stats.size > offset) await handle.truncate(offset)
    let written = 0
    while (written < data.length) written += (await handle.write(data, written, data.length - written, offset + written)).bytesWritten
    await handle.sync()
    return { created: stats.size === 0 && offset === 0 }
  } finally {
    await handle.close()
  }
})

/**
 * Replaces one file atomically: temp file, fsync, rename, fsync the directory.
 * A crash leaves the old or the new content, never a mix. (write-file-atomic
 * does the first three but not the directory fsync, and would bypass this
 * facade's fault injection.)
 */
export const writeFileAtomic = async (target: string, data: string | Uint8Array): Promise<void> => {
  const temp = tempPathFor(target)
  try {
    await writeFileDurable(temp, data)
    await rename(temp, target)
  } catch (error) {
    await fsp.rm(temp, { force: true }).catch(() => {})
    throw error
  }
  await fsyncDir(path.dirname(target))
}

export const writeJsonAtomic = (target: string, value: unknown): Promise<void> =>
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`)

export const readJson = async <T = unknown>(p: string): Promise<T> => JSON.parse(await readText(p)) as T
