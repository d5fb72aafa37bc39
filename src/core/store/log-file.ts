/**
 * `bento-log.bin`, the commit log: what the writes since the last compaction
 * changed, appended, so a write costs what it adds rather than the whole store.
 * The base files (hnswlib.index, docstore.json, bento-lexical.bin) are not
 * touched by an append; compaction folds the log into them and drops it.
 *
 * Only the first `manifest.log.bytes` bytes count: a record is appended and
 * fsynced beyond them, then a new manifest recording the longer length is
 * renamed into place (that rename is the commit). A crash before it leaves a
 * tail no reader reads and the next append cuts. Little-endian:
 *
 *   header (16 bytes): "BLOG" | u32 version (1) | u32 dimension | u32 0
 *   record: u32 n | u32 CRC-32 of the payload | payload (n bytes):
 *     u32 j | JSON (j bytes): {"delete": [label…], "add": [[label, {pageContent, metadata}]…]}
 *     | zero padding to a multiple of 4 | add.length × dimension f32: the points as the index holds them
 *
 * Deletions apply before additions within a record (a replace is one record).
 */
import path from 'node:path'
import { crc32 } from 'node:zlib'
import * as fs from '../fs.js'
import { crashPoint } from '../faults.js'
import { CorruptStoreError } from '../errors.js'
import type { DocRecord } from './docstore.js'
import { LOG_FILE } from './files.js'
import { MAX_LABEL } from './manifest.js'

export const LOG_MAGIC = 'BLOG'
export const LOG_VERSION = 1
export const LOG_HEADER_BYTES = 16
/** A record's JSON part; larger means a damaged length, not a real write (a batch is ≤ ~8 MiB of text). */
const MAX_RECORD_BYTES = 1024 ** 3

export interface LogRecord {
  /** Labels that stop being live (of the base or of an earlier record). */
  delete: number[]
  add: Array<[label: number, record: DocRecord]>
  /** `add.length × dimension` floats, in the order of `add`. */
  vectors: Float32Array
}

/** What the manifest records of the log: how much of the file counts, and what it holds. */
export interface LogInfo {
  bytes: number
  records: number
  /** Points the records add (live or deleted since). */
  added: number
  /** Deletions the records make. */
  deleted: number
}

export const logPath = (dir: string): string => path.join(dir, LOG_FILE)

export const encodeLogHeader = (dimension: number): Buffer => {
  const header = Buffer.alloc(LOG_HEADER_BYTES)
  header.write(LOG_MAGIC, 0, 'latin1')
  header.writeUInt32LE(LOG_VERSION, 4)
  header.writeUInt32LE(dimension, 8)
  return header
}

export const encodeLogRecord = (record: LogRecord): Buffer => {
  const json = Buffer.from(JSON.stringify({ delete: record.delete, add: record.add.map(([label, doc]) => [label, doc]) }), 'utf8')
  const padded = Math.ceil((4 + json.length) / 4) * 4
  const payload = Buffer.alloc(padded + record.vectors.byteLength)
  payload.writeUInt32LE(json.length, 0)
  json.copy(payload, 4)
  Buffer.from(record.vectors.buffer, record.vectors.byteOffset, record.vectors.byteLength).copy(payload, padded)
  const out = Buffer.alloc(8 + payload.length)
  out.writeUInt32LE(payload.length, 0)
  out.writeUInt32LE(crc32(payload), 4)
  payload.copy(out, 8)
  return out
}

const isLabel = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_LABEL
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Parses the counted part of a log; anything malformed is a `CorruptStoreError` naming the record. */
export const decodeLog = (data: Uint8Array, dimension: number, file = LOG_FILE): LogRecord[] => {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const fail = (what: string): never => {
    throw new CorruptStoreError(`${file}: ${what}.`)
  }
  if (buffer.length < LOG_HEADER_BYTES || buffer.toString('latin1', 0, 4) !== LOG_MAGIC) fail('not a Bento commit log')
  const version = buffer.readUInt32LE(4)
  if (version !== LOG_VERSION) fail(`log version ${version} is not ${LOG_VERSION}`)
  if (buffer.readUInt32LE(8) !== dimension) fail(`dimension ${buffer.readUInt32LE(8)}, the store's is ${dimension}`)
  const records: LogRecord[] = []
  let at = LOG_HEADER_BYTES
  while (at < buffer.length) {
    const n = records.length
    if (at + 8 > buffer.length) fail(`record ${n} is cut short`)
    const length = buffer.readUInt32LE(at)
    if (length < 4 || at + 8 + length > buffer.length) fail(`record ${n} is cut short`)
    const payload = buffer.subarray(at + 8, at + 8 + length)
    if (crc32(payload) !== buffer.readUInt32LE(at + 4)) fail(`record ${n}: checksum mismatch`)
    const jsonBytes = payload.readUInt32LE(0)
    if (jsonBytes > MAX_RECORD_BYTES || 4 + jsonBytes > length) fail(`record ${n}: bad length`)
    let raw: unknown
    try {
      raw = JSON.parse(payload.toString('utf8', 4, 4 + jsonBytes))
    } catch {
      fail(`record ${n}: not valid JSON`)
    }
    const body = raw as { delete?: unknown; add?: unknown }
    if (!isPlainObject(body) || !Array.isArray(body.delete) || !Array.isArray(body.add)) fail(`record ${n}: expected {delete, add}`)
    const deletes = body.delete as unknown[]
    if (!deletes.every(isLabel)) fail(`record ${n}: a deleted label is not a uint32`)
    const adds = body.add as unknown[]
    for (const entry of adds) {
      if (!Array.isArray(entry) || entry.length !== 2 || !isLabel(entry[0])) fail(`record ${n}: an added entry is not [label, document]`)
      const doc = (entry as unknown[])[1] as Record<string, unknown>
      if (!isPlainObject(doc) || typeof doc.pageContent !== 'string' || !isPlainObject(doc.metadata)) fail(`record ${n}: an added document needs pageContent and metadata`)
    }
    const offset = Math.ceil((4 + jsonBytes) / 4) * 4
    if (length - offset !== adds.length * dimension * 4) fail(`record ${n}: ${length - offset} bytes of vectors for ${adds.length} points`)
    // A copy: the payload's offset in the file need not be 4-aligned for a Float32Array view.
    const vectors = new Float32Array(new Uint8Array(payload.subarray(offset)).buffer)
    records.push({ delete: deletes as number[], add: adds as LogRecord['add'], vectors })
    at += 8 + length
  }
  return records
}

/**
 * Appends one record after the counted `bytes` (a fresh header first when the log is
 * empty) and makes it durable; the caller then commits a manifest that counts it.
 * Resolves to the log's new counted length.
 */
export const appendLogRecord = async (dir: string, bytes: number, dimension: number, record: Buffer): Promise<number> => {
  const data = bytes === 0 ? Buffer.concat([encodeLogHeader(dimension), record]) : record
  const { created } = await fs.writeAtDurable(logPath(dir), bytes, data)
  if (created) await fs.fsyncDir(dir)
  crashPoint('store.append.after-log')
  return bytes + data.length
}

/** Reads the counted part of the log: exactly `bytes` bytes, never through a link. */
export const readLogBytes = async (file: string, bytes: number): Promise<Buffer> => {
  const stats = await fs.lstatOrUndefined(file)
  if (stats === undefined) throw new CorruptStoreError(`${LOG_FILE} missing though the manifest counts ${bytes} bytes of it.`)
  if (!stats.isFile()) throw new CorruptStoreError(`${LOG_FILE}: not a regular file.`)
  return fs.withFileReaderSync(file, (opened, readAt) => {
    if (!opened.isFile()) throw new CorruptStoreError(`${LOG_FILE}: not a regular file.`)
    if (opened.size < bytes) throw new CorruptStoreError(`${LOG_FILE}: ${opened.size} bytes, the manifest counts ${bytes}.`)
    const out = Buffer.alloc(bytes)
    let read = 0
    while (read < bytes) {
      const n = readAt(out.subarray(read), bytes - read, read)
      if (n === 0) throw new CorruptStoreError(`${LOG_FILE}: ended at ${read} bytes, the manifest counts ${bytes}.`)
      read += n
    }
    return out
  })
}
