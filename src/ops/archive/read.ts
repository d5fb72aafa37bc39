/**
 * Reads an archive (layout in ./format.ts) as untrusted input. The manifest is
 * read first, within a size limit, and checked against its own checksum and as
 * a whole (names, order, sizes) before any data entry; then every tar entry
 * must be the next one the manifest lists, a regular file of exactly the
 * declared size, and is hashed as it streams past. Anything else — a link, a
 * directory, an unlisted or missing name, a bad checksum, a truncated or
 * malformed tar — fails the read with a typed error.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import * as fsp from 'node:fs/promises'
import tar from 'tar-stream'
import { InvalidArchiveError, isBentoError, NotFoundError, TooLargeError, UnsafePathError } from '../../core/errors.js'
import { ARCHIVE_LIMITS, MANIFEST_CHECKSUM_ENTRY, MANIFEST_ENTRY, parseManifest, type ArchiveManifest, type EntryKind, type ManifestEntry } from './format.js'

export interface ArchiveDataEntry {
  entry: ManifestEntry
  kind: EntryKind
  /** The entry's bytes as they stream; the last step throws when size or sha256 differ from the manifest. */
  content: AsyncIterable<Buffer>
}

export interface ArchiveReader {
  manifest: ArchiveManifest
  kinds: EntryKind[]
  manifestSha256: string
  /** Data entries in manifest order. An entry the consumer did not read is read (and verified) before the next. */
  entries(): AsyncGenerator<ArchiveDataEntry>
  close(): Promise<void>
}

type TarEntry = AsyncIterable<Buffer> & { header: tar.Header }

/** tar-stream's own errors (a bad header checksum, an early end) say the file is not a whole tar; I/O and typed errors pass. */
const tarError = (error: unknown): Error => {
  if (isBentoError(error) || (error instanceof Error && 'syscall' in error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new InvalidArchiveError(`Not a readable tar archive, or a truncated one (${message}).`)
}

const describeType = (type: string) => (type === 'symlink' ? 'a symbolic link' : type === 'link' ? 'a hard link' : type === 'directory' ? 'a directory' : `a ${type} entry`)

/**
 * @example
 * const reader = await openArchive('user-1.bento.tar')
 * for await (const { entry, content } of reader.entries()) for await (const _ of content) {}
 */
export const openArchive = async (file: string): Promise<ArchiveReader> => {
  let stats
  try {
    stats = await fsp.stat(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`No archive at ${file}.`)
    throw error
  }
  if (!stats.isFile()) throw new InvalidArchiveError(`${file} is not a regular file.`)
  const head = Buffer.alloc(2)
  const handle = await fsp.open(file, 'r')
  try {
    await handle.read(head, 0, 2, 0)
  } finally {
    await handle.close()
  }
  if (head[0] === 0x1f && head[1] === 0x8b) throw new InvalidArchiveError(`${file} is gzip-compressed; decompress it first (gunzip -k).`)

  const source = createReadStream(file)
  const extract = tar.extract()
  source.on('error', (error) => extract.destroy(error))
  source.pipe(extract)
  const iterator = extract[Symbol.asyncIterator]()
  const close = async () => {
    source.destroy()
    await iterator.return?.().catch(() => {})
  }

  const next = async (): Promise<TarEntry | undefined> => {
    let result
    try {
      result = await iterator.next()
    } catch (error) {
      throw tarError(error)
    }
    return result.done ? undefined : (result.value as unknown as TarEntry)
  }

  /**
   * Threat: a tar entry that is a symlink or hard link (`uploads/x -> /etc/passwd`), a
   * device or a directory, written where a file is expected. Refused by type, whatever its name.
   * Test: test/ops/import-hostile.test.ts "link entries".
   */
  const expectEntry = async (name: string, size: number | undefined, limit: number): Promise<TarEntry> => {
    const stream = await next()
    if (stream === undefined) throw new InvalidArchiveError(`The archive is truncated: ${name} is missing.`)
    const { header } = stream
    if (header.type !== 'file') {
      const what = `Archive entry ${JSON.stringify(header.name.slice(0, 120))} is ${describeType(header.type)}`
      throw header.type === 'symlink' || header.type === 'link' ? new UnsafePathError(`${what}; links are refused.`) : new InvalidArchiveError(`${what}; only files are allowed.`)
    }
    if (header.name !== name) throw new InvalidArchiveError(`Archive entry ${JSON.stringify(header.name.slice(0, 120))} is not the next listed in the manifest (${name}).`)
    if (header.size > limit) throw new TooLargeError(`Archive entry ${name} is ${header.size} bytes, over the limit of ${limit}.`)
    if (size !== undefined && header.size !== size) throw new InvalidArchiveError(`Archive entry ${name} is ${header.size} bytes; the manifest says ${size}.`)
    return stream
  }

  const readAll = async (stream: TarEntry): Promise<Buffer> => {
    const parts: Buffer[] = []
    try {
      for await (const chunk of stream) parts.push(chunk)
    } catch (error) {
      throw tarError(error)
    }
    return Buffer.concat(parts)
  }

  try {
    const manifestBytes = await readAll(await expectEntry(MANIFEST_ENTRY, undefined, ARCHIVE_LIMITS.manifestBytes))
    const checksum = (await readAll(await expectEntry(MANIFEST_CHECKSUM_ENTRY, undefined, 128))).toString('utf8').trim()
    const manifestSha256 = createHash('sha256').update(manifestBytes).digest('hex')
    if (checksum !== manifestSha256) throw new InvalidArchiveError('The archive manifest does not match its checksum: the archive is damaged or was altered.')
    const { manifest, kinds } = parseManifest(manifestBytes)

    async function* verified(stream: TarEntry, entry: ManifestEntry, state: { done: boolean }): AsyncGenerator<Buffer> {
      const hash = createHash('sha256')
      let size = 0
      try {
        for await (const chunk of stream) {
          size += (chunk).length
          hash.update(chunk)
          yield chunk
        }
      } catch (error) {
        throw tarError(error)
      }
      state.done = true
      if (size !== entry.size) throw new InvalidArchiveError(`The archive is truncated: ${entry.path} holds ${size} of ${entry.size} bytes.`)
      if (hash.digest('hex') !== entry.sha256) throw new InvalidArchiveError(`Archive entry ${entry.path} does not match its checksum: the archive is damaged or was altered.`, { entry: entry.path })
    }

    async function* entries(): AsyncGenerator<ArchiveDataEntry> {
      for (const [i, entry] of manifest.entries.entries()) {
        const stream = await expectEntry(entry.path, entry.size, Number.MAX_SAFE_INTEGER)
        const state = { done: false }
        const content = verified(stream, entry, state)
        yield { entry, kind: kinds[i]!, content }
        if (!state.done) for await (const _ of content) { /* drained and verified */ }
      }
      const extra = await next()
      if (extra !== undefined) throw new InvalidArchiveError(`Archive entry ${JSON.stringify(extra.header.name.slice(0, 120))} is not listed in the manifest.`)
    }

    return { manifest, kinds, manifestSha256, entries, close }
  } catch (error) {
    await close()
    throw error
  }
}
