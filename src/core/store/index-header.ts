/**
 * Checks an hnswlib index file in JS before hnswlib-node may read it. hnswlib trusts
 * its header: a crafted count, size or neighbor id makes it allocate wildly or read
 * out of bounds and take the process down. The layout is hnswlib's `saveIndex`:
 *
 *   header (96 bytes): offsetLevel0 u64, max_elements u64, cur_element_count u64,
 *     size_data_per_element u64, label_offset u64, offsetData u64, maxlevel i32,
 *     enterpoint_node u32, maxM u64, maxM0 u64, M u64, mult f64, ef_construction u64
 *   level 0: count × [u32 linkcount (+ delete mark in byte 2), maxM0 × u32, dim × f32, u64 label]
 *   upper levels: count × [u32 byte size, size bytes of maxM-sized link blocks]
 *
 * Tests: test/core/store/index-header.test.ts.
 */
import { CorruptStoreError } from '../errors.js'
import { INDEX_FILE } from './files.js'
import { MAX_LABEL } from './manifest.js'

export const HEADER_BYTES = 96
/** hnswlib allocates max_elements × size_data_per_element up front; refuse absurd requests. */
export const MAX_INDEX_BYTES = 8 * 1024 ** 3

export interface IndexFileInfo {
  maxElements: number
  count: number
  m: number
  efConstruction: number
  maxLevel: number
  /** Per internal id, in file order. */
  labels: Uint32Array
  /** 1 where the point is marked deleted. */
  deleted: Uint8Array
  deletedCount: number
  /** With `keepVectors`: every point's vector, `dimension` floats per internal id, as hnswlib stored it. */
  vectors?: Float32Array
}

export interface IndexExpectations {
  dimension: number
  /** The capacity the manifest records; when absent (an adopted LangChain store) a loose bound applies. */
  capacity?: number
  file?: string
  /** Copy the vectors out while validating (small stores are searched in JS, without hnswlib). */
  keepVectors?: boolean
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** The file as little-endian 32-bit words (hnswlib's layout on the platforms it builds for); copied only when unaligned. */
const wordsOf = (bytes: Uint8Array): Uint32Array => {
  const length = bytes.byteLength >>> 2
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, length)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const words = new Uint32Array(length)
  for (let i = 0; i < length; i++) words[i] = view.getUint32(i * 4, true)
  return words
}

/**
 * Where validation reads the file from: a buffer already in memory, or a file
 * read in chunks (`read` may reuse one buffer: its answer is valid until the
 * next call; `keep` returns bytes that stay valid).
 */
export interface IndexSource {
  size: number
  read(position: number, length: number): Uint8Array
  keep(position: number, length: number): Uint8Array
}

const bufferSource = (bytes: Uint8Array): IndexSource => ({
  size: bytes.length,
  read: (position, length) => bytes.subarray(position, position + length),
  keep: (position, length) => bytes.subarray(position, position + length),
})

/** Level-0 records read at once from a file: large enough for few reads, small enough to never hold a 60 MB file. */
const CHUNK_BYTES = 1 << 20

/**
 * A file read in chunks through `readAt(buffer, length, position)` (bytes read). Validating a
 * 10k × 1536 index this way reads 62 MB through one 1 MiB buffer instead of allocating all of it,
 * which cost an open about as much again as hnswlib's own read.
 */
export const fileSource = (size: number, readAt: (buffer: Uint8Array, length: number, position: number) => number): IndexSource => {
  let chunk = new Uint8Array(0)
  const fill = (target: Uint8Array, position: number, length: number) => {
    let done = 0
    while (done < length) {
      const got = readAt(target.subarray(done, length), length - done, position + done)
      if (got === 0) throw new CorruptStoreError(`${INDEX_FILE}: changed while it was being read.`)
      done += got
    }
    return target.subarray(0, length)
  }
  return {
    size,
    read(position, length) {
      if (chunk.length < length) chunk = new Uint8Array(Math.max(length, CHUNK_BYTES))
      return fill(chunk, position, length)
    },
    keep: (position, length) => fill(new Uint8Array(length), position, length),
  }
}

/** Returns what the file holds, or throws `CorruptStoreError` saying what is wrong. */
export const validateIndexFile = (bytes: Uint8Array, expected: IndexExpectations): IndexFileInfo => validateIndex(bufferSource(bytes), expected)

/** The same checks, reading from `source` (see `fileSource`). */
export const validateIndex = (source: IndexSource, expected: IndexExpectations): IndexFileInfo => {
  const file = expected.file ?? INDEX_FILE
  const fail = (what: string): never => {
    throw new CorruptStoreError(`${file}: ${what}.`)
  }
  const fileSize = source.size
  if (fileSize < HEADER_BYTES) fail(`truncated: ${fileSize} bytes is shorter than the ${HEADER_BYTES}-byte header`)
  const head = source.keep(0, HEADER_BYTES)
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const u64 = (offset: number, name: string): number => {
    const value = view.getBigUint64(offset, true)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${name} ${value} is out of range`)
    return Number(value)
  }
  const offsetLevel0 = u64(0, 'offsetLevel0')
  const maxElements = u64(8, 'max_elements')
  const count = u64(16, 'cur_element_count')
  const sizePerElement = u64(24, 'size_data_per_element')
  const labelOffset = u64(32, 'label_offset')
  const offsetData = u64(40, 'offsetData')
  const maxLevel = view.getInt32(48, true)
  const enterpoint = view.getUint32(52, true)
  const maxM = u64(56, 'maxM')
  const maxM0 = u64(64, 'maxM0')
  const m = u64(72, 'M')
  const mult = view.getFloat64(80, true)
  const efConstruction = u64(88, 'ef_construction')

  if (offsetLevel0 !== 0) fail(`offsetLevel0 is ${offsetLevel0}, expected 0`)
  if (m < 2 || m > 10_000 || maxM !== m || maxM0 !== 2 * m) fail(`M/maxM/maxM0 (${m}/${maxM}/${maxM0}) are inconsistent`)
  if (!(Math.abs(mult - 1 / Math.log(m)) <= 1e-9)) fail(`mult ${mult} does not match M ${m}`)
  if (efConstruction < 1 || efConstruction > 100_000) fail(`ef_construction ${efConstruction} is out of range`)
  const dataSize = expected.dimension * 4
  const sizeLinks0 = maxM0 * 4 + 4
  if (offsetData !== sizeLinks0) fail(`offsetData ${offsetData} does not match maxM0 ${maxM0}`)
  if (labelOffset !== sizeLinks0 + dataSize) fail(`label_offset ${labelOffset} does not match dimension ${expected.dimension}`)
  if (sizePerElement !== sizeLinks0 + dataSize + 8) fail(`size_data_per_element ${sizePerElement} does not match dimension ${expected.dimension}`)
  // Real levels stay near log(count)/log(M) (< 10); a huge maxlevel is a crafted header.
  if (maxLevel > 64) fail(`maxlevel ${maxLevel} is out of range`)
  if (count > maxElements) fail(`cur_element_count ${count} exceeds max_elements ${maxElements}`)
  if (maxElements > MAX_LABEL + 1 || maxElements * sizePerElement > MAX_INDEX_BYTES) fail(`max_elements ${maxElements} is too large`)
  if (count > 0) {
    const limit = expected.capacity ?? Math.max(1024, 4 * count)
    if (expected.capacity !== undefined ? maxElements !== limit : maxElements > limit) {
      fail(`max_elements ${maxElements} disagrees with the capacity ${limit}`)
    }
    if (maxLevel < 0) fail(`maxlevel ${maxLevel} is negative with ${count} points`)
    if (enterpoint >= count) fail(`enterpoint_node ${enterpoint} is not below cur_element_count ${count}`)
  }
  const level0End = HEADER_BYTES + count * sizePerElement
  if (level0End > fileSize) fail(`truncated: ${count} points need ${level0End} bytes of level-0 data, the file has ${fileSize}`)

  const sizeLinks = maxM * 4 + 4
  // Every offset below is a multiple of 4 (the header checks above make the record and link sizes so),
  // so the lists are read as 32-bit words: several times faster than DataView calls over 16 MB.
  const upperBytes = fileSize - level0End
  const upper = wordsOf(source.keep(level0End, upperBytes))
  const levels = new Uint8Array(count)
  const linkStarts = new Float64Array(count)
  let position = 0
  for (let id = 0; id < count; id++) {
    if (position + 4 > upperBytes) fail(`truncated in the link lists (point ${id})`)
    const size = upper[position / 4]!
    position += 4
    if (size % sizeLinks !== 0) fail(`point ${id}: link list size ${size} is not a multiple of ${sizeLinks}`)
    const level = size / sizeLinks
    if (level > maxLevel) fail(`point ${id}: level ${level} exceeds maxlevel ${maxLevel}`)
    levels[id] = level
    linkStarts[id] = position
    position += size
    if (position > upperBytes) fail(`truncated in the link lists (point ${id})`)
  }
  if (position !== upperBytes) fail(`size is ${fileSize} bytes, expected ${level0End + position}`)
  if (count > 0 && levels[enterpoint] !== maxLevel) fail(`enterpoint_node ${enterpoint} is not on maxlevel ${maxLevel}`)

  // Vector components are not checked: a NaN cannot make hnswlib read out of bounds, it only spoils
  // distances (test: "loads a store whose vectors hold NaN without crashing").
  const labels = new Uint32Array(count)
  const deleted = new Uint8Array(count)
  const seen = new Set<number>()
  const wordsPerElement = sizePerElement >>> 2
  const labelWord = labelOffset >>> 2
  const wordsPerLinks = sizeLinks >>> 2
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / sizePerElement))
  const dataWord = offsetData >>> 2
  const vectors = expected.keepVectors ? new Float32Array(count * expected.dimension) : undefined
  let deletedCount = 0
  for (let first = 0; first < count; first += perChunk) {
    const inChunk = Math.min(perChunk, count - first)
    const words = wordsOf(source.read(HEADER_BYTES + first * sizePerElement, inChunk * sizePerElement))
    if (vectors) {
      const floats = new Float32Array(words.buffer, words.byteOffset, words.length)
      for (let k = 0; k < inChunk; k++) {
        const start = k * wordsPerElement + dataWord
        vectors.set(floats.subarray(start, start + expected.dimension), (first + k) * expected.dimension)
      }
    }
    for (let k = 0; k < inChunk; k++) {
      const id = first + k
      const base = k * wordsPerElement
      const header = words[base]!
      const links = header & 0xffff
      const mark = (header >>> 16) & 0xff
      if (mark > 1 || header >>> 24 !== 0) fail(`point ${id}: level-0 link header ${header} has unknown flags`)
      if (links > maxM0) fail(`point ${id}: ${links} level-0 links exceed maxM0 ${maxM0}`)
      for (let j = 1; j <= links; j++) {
        const neighbor = words[base + j]!
        if (neighbor >= count) fail(`point ${id}: level-0 neighbor ${neighbor} is not below cur_element_count ${count}`)
      }
      const label = words[base + labelWord]!
      if (words[base + labelWord + 1] !== 0) fail(`point ${id}: label exceeds uint32`)
      if (seen.has(label)) fail(`label ${label} appears twice`)
      seen.add(label)
      labels[id] = label
      deleted[id] = mark
      deletedCount += mark
      const level = levels[id]!
      for (let l = 1; l <= level; l++) {
        const block = linkStarts[id]! / 4 + (l - 1) * wordsPerLinks
        const blockHeader = upper[block]!
        if (blockHeader > maxM) fail(`point ${id}: ${blockHeader} links on level ${l} exceed maxM ${maxM}`)
        for (let j = 1; j <= blockHeader; j++) {
          const neighbor = upper[block + j]!
          // hnswlib reads the neighbor's own list on this level: it must have one.
          if (neighbor >= count || levels[neighbor]! < l) fail(`point ${id}: level-${l} neighbor ${neighbor} is invalid`)
        }
      }
    }
  }
  return { maxElements, count, m, efConstruction, maxLevel, labels, deleted, deletedCount, ...(vectors ? { vectors } : {}) }
}
