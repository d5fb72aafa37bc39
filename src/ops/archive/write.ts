/**
 * Writes one scope's snapshot as an archive (layout in ./format.ts). Every
 * entry's checksum goes into the manifest, which comes first, so the small
 * entries are encoded in memory and each upload is read twice: once to hash
 * it, once to write it (the scope's lock is held, and the second read must
 * match the first).
 */
import { createHash } from 'node:crypto'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { CorruptStoreError } from '../../core/errors.js'
import type { ScopeSnapshot, ScopeStoreContents } from '../../core/backend/types.js'
import { encodeChunks } from './chunks.js'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  chunksEntry,
  conversationEntry,
  MANIFEST_CHECKSUM_ENTRY,
  MANIFEST_ENTRY,
  STORE_NAMES,
  uploadEntry,
  vectorsEntry,
  type ArchiveManifest,
  type ManifestEntry,
} from './format.js'

export interface WriteArchiveOptions {
  now: Date
  /** e.g. `bento-core 0.1.0`. */
  generator: string
}

export interface WrittenArchive {
  manifest: ArchiveManifest
  manifestSha256: string
  /** Bytes of the tar written. */
  bytes: number
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** The embedder both stores were made with; stores that disagree cannot share one archive header. */
const embedderOf = (snapshot: ScopeSnapshot): ArchiveManifest['embedder'] => {
  const filled = STORE_NAMES.map((name) => snapshot[name]).filter((store) => store.chunks.length > 0)
  const first = filled[0]
  if (first === undefined) return null
  const dimension = first.dimension ?? first.chunks[0]!.vector.length
  for (const other of filled.slice(1)) {
    if ((other.dimension ?? other.chunks[0]!.vector.length) !== dimension || other.space !== first.space || (other.embedderId ?? first.embedderId) !== (first.embedderId ?? other.embedderId)) {
      throw new CorruptStoreError(`Scope "${snapshot.scope.key}": its documents and memory stores were made with different embedders; it cannot be exported as one archive.`)
    }
  }
  return { id: first.embedderId ?? filled.find((store) => store.embedderId)?.embedderId ?? null, dimension, space: first.space }
}

const distinctDocuments = (store: ScopeStoreContents): number => new Set(store.chunks.map((chunk) => chunk.documentId)).size

interface PlannedEntry {
  entry: ManifestEntry
  bytes?: Buffer
  read?: () => Promise<Buffer>
}

/**
 * @example
 * await backend.exportScope(scope, (snapshot) => writeArchive(snapshot, createWriteStream(file), { now: new Date(), generator: 'bento-core 0.1.0' }))
 */
export const writeArchive = async (snapshot: ScopeSnapshot, out: NodeJS.WritableStream, options: WriteArchiveOptions): Promise<WrittenArchive> => {
  const embedder = embedderOf(snapshot)
  const planned: PlannedEntry[] = []
  const inMemory = (path: string, bytes: Buffer) => planned.push({ entry: { path, size: bytes.length, sha256: sha256(bytes) }, bytes })
  for (const name of STORE_NAMES) {
    const store = snapshot[name]
    if (store.chunks.length === 0) continue
    const { lines, vectors } = encodeChunks(store.chunks, embedder!.dimension)
    inMemory(chunksEntry(name), lines)
    inMemory(vectorsEntry(name), vectors)
  }
  for (const { id, createdAt, updatedAt, messages } of snapshot.conversations) {
    inMemory(conversationEntry(id), Buffer.from(`${JSON.stringify({ id, createdAt, updatedAt, messages })}\n`))
  }
  for (const upload of snapshot.uploads) {
    const bytes = await upload.read()
    planned.push({ entry: { path: uploadEntry(upload.documentId, upload.name), size: bytes.length, sha256: sha256(bytes) }, read: upload.read })
  }
  const entries = planned.map(({ entry }) => entry)
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    createdAt: options.now.toISOString(),
    generator: options.generator,
    scope: { key: snapshot.scope.key, kind: snapshot.scope.kind },
    embedder,
    stores: {
      documents: { chunks: snapshot.documents.chunks.length, efSearch: snapshot.documents.chunks.length > 0 ? snapshot.documents.efSearch ?? null : null },
      memory: { chunks: snapshot.memory.chunks.length, efSearch: snapshot.memory.chunks.length > 0 ? snapshot.memory.efSearch ?? null : null },
    },
    activity: { createdAt: snapshot.createdAt?.toISOString() ?? null, lastActiveAt: snapshot.lastActiveAt?.toISOString() ?? null },
    counts: {
      documents: distinctDocuments(snapshot.documents),
      chunks: snapshot.documents.chunks.length,
      memories: distinctDocuments(snapshot.memory),
      uploads: snapshot.uploads.length,
      conversations: snapshot.conversations.length,
      bytes: entries.reduce((sum, entry) => sum + entry.size, 0),
    },
    entries,
  }
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
  const manifestSha256 = sha256(manifestBytes)

  const pack = tar.pack()
  const header = (name: string, size: number) => ({ name, size, mode: 0o644, mtime: options.now, uid: 0, gid: 0, uname: '', gname: '', type: 'file' as const })
  const add = (name: string, bytes: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry(header(name, bytes.length), bytes, (error) => (error ? reject(error) : resolve())))
  const produce = async () => {
    try {
      await add(MANIFEST_ENTRY, manifestBytes)
      await add(MANIFEST_CHECKSUM_ENTRY, Buffer.from(`${manifestSha256}\n`))
      for (const { entry, bytes, read } of planned) {
        const content = bytes ?? (await read!())
        if (sha256(content) !== entry.sha256) throw new CorruptStoreError(`${entry.path} changed during the export.`)
        await add(entry.path, content)
      }
      pack.finalize()
    } catch (error) {
      pack.destroy(error as Error)
      throw error
    }
  }
  let bytes = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      done(null, chunk)
    },
  })
  const written = pipeline(Readable.from(pack), counter, out).catch((error: Error) => {
    pack.destroy(error)
    throw error
  })
  await Promise.all([produce(), written])
  return { manifest, manifestSha256, bytes }
}
