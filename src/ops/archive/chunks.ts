/**
 * A store's chunks in an archive: `chunks.jsonl` (text and metadata, one JSON
 * object a line) beside `vectors.f32` (the stored vectors as raw float32
 * little-endian, so they come back bit for bit and are never re-embedded).
 */
import { endianness } from 'node:os'
import { InvalidArchiveError } from '../../core/errors.js'
import type { ExportedChunk } from '../../core/store/types.js'

interface ChunkLine {
  documentId: string
  title: string
  text: string
  chunkIndex: number
  metadata: Record<string, unknown>
}

const BIG_ENDIAN = endianness() === 'BE'

export const encodeChunks = (chunks: ExportedChunk[], dimension: number): { lines: Buffer; vectors: Buffer } => {
  const all = new Float32Array(chunks.length * dimension)
  const lines: string[] = []
  chunks.forEach((chunk, i) => {
    const { vector, documentId, title, text, chunkIndex, metadata } = chunk
    if (vector.length !== dimension) throw new InvalidArchiveError(`Chunk ${i} of document ${documentId} has ${vector.length} dimensions, not ${dimension}.`)
    all.set(vector, i * dimension)
    lines.push(JSON.stringify({ documentId, title, text, chunkIndex, metadata } satisfies ChunkLine))
  })
  const vectors = Buffer.from(all.buffer, all.byteOffset, all.byteLength)
  if (BIG_ENDIAN) vectors.swap32()
  return { lines: Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : ''), vectors }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

const parseLine = (line: string, at: string): ChunkLine => {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    throw new InvalidArchiveError(`${at} is not valid JSON.`)
  }
  if (!isPlainObject(value)) throw new InvalidArchiveError(`${at} is not a JSON object.`)
  const { documentId, title, text, chunkIndex, metadata } = value
  if (typeof documentId !== 'string' || documentId.length === 0 || documentId.length > 512) throw new InvalidArchiveError(`${at}: documentId must be a string of 1–512 characters.`)
  if (typeof title !== 'string' || typeof text !== 'string') throw new InvalidArchiveError(`${at}: title and text must be strings.`)
  if (typeof chunkIndex !== 'number' || !Number.isInteger(chunkIndex) || chunkIndex < 0) throw new InvalidArchiveError(`${at}: chunkIndex must be a whole number.`)
  if (!isPlainObject(metadata)) throw new InvalidArchiveError(`${at}: metadata must be an object.`)
  return { documentId, title, text, chunkIndex, metadata }
}

/** The chunks of one store, checked line by line against the declared count; every vector component must be finite. */
export const decodeChunks = (entry: string, lines: Buffer, vectors: Buffer, count: number, dimension: number): ExportedChunk[] => {
  const text = lines.toString('utf8')
  const rows = text.length === 0 ? [] : text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  if (rows.length !== count) throw new InvalidArchiveError(`${entry} holds ${rows.length} chunks; the manifest declares ${count}.`)
  if (vectors.length !== count * dimension * 4) throw new InvalidArchiveError(`${entry}: the vectors file does not hold ${count} vectors of dimension ${dimension}.`)
  // A copy: aligned for a Float32Array whatever offset the bytes had in the read buffer.
  const all = new Float32Array(count * dimension)
  const bytes = Buffer.from(all.buffer)
  bytes.set(vectors)
  if (BIG_ENDIAN) bytes.swap32()
  const bad = all.findIndex((value) => !Number.isFinite(value))
  if (bad >= 0) throw new InvalidArchiveError(`${entry}: vector ${Math.floor(bad / dimension) + 1} has a component that is not a finite number.`)
  return rows.map((row, i) => ({ ...parseLine(row, `${entry} line ${i + 1}`), vector: all.slice(i * dimension, (i + 1) * dimension) }))
}
