/**
 * The lexical index file (`bento-lexical.bin`), little-endian:
 *
 *   "BLEX" | u32 version | u32 n | n bytes of header JSON {analyzer, documents, terms, postings, totalLength}
 *   | u32 v | v bytes of vocabulary (UTF-8, terms joined by "\n", no term contains one)
 *   | varints: `documents` labels, ascending, delta-coded
 *   | per term, in vocabulary order: count, then count × (document position delta, tf)
 *   | u32 CRC-32 of everything before it
 *
 * Only live labels are written, so lazily removed postings disappear here. A
 * passage's length is the sum of its term frequencies, so it is not stored.
 * Reading trusts nothing: every count, position and term is checked, and the
 * file must end exactly at its checksum (`CorruptStoreError` otherwise).
 */
import { crc32 } from 'node:zlib'
import { CorruptStoreError, RefusedError } from '../errors.js'
import { createLexicalIndex, postingsOf, type Analyzer, type LexicalIndex } from './bm25.js'
import { emptyColumns, postingCount, type PostingColumns } from './postings.js'

export const LEXICAL_FORMAT_VERSION = 1
const MAGIC = 'BLEX'
const MAX_LABEL = 0xffff_ffff

class Writer {
  bytes: Uint8Array
  length = 0

  constructor(size = 1 << 16) {
    this.bytes = new Uint8Array(size)
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.length + extra) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }

  u32(value: number): void {
    this.ensure(4)
    new DataView(this.bytes.buffer).setUint32(this.length, value, true)
    this.length += 4
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length)
    this.bytes.set(data, this.length)
    this.length += data.length
  }

  varint(value: number): void {
    this.ensure(5)
    // Every value written is a uint32 (labels, counts, deltas), so unsigned shifts are exact.
    let rest = value >>> 0
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    this.bytes[this.length++] = rest
  }
}

/** Position of each live label among the live labels (ascending), −1 for others: an array by label when labels are dense enough. */
const positionsOf = (labels: readonly number[]): Int32Array | Map<number, number> => {
  const max = labels.length === 0 ? -1 : labels[labels.length - 1]!
  if (max <= 4 * labels.length + 65_536) {
    const position = new Int32Array(max + 1).fill(-1)
    for (let i = 0; i < labels.length; i++) position[labels[i]!] = i
    return position
  }
  return new Map(labels.map((label, i) => [label, i]))
}

/** Serializes the live part of the index. */
export const encodeLexicalIndex = (index: LexicalIndex): Buffer => encode(index, false).bytes

/**
 * Serializes the live part of the index and returns it also as a fresh index of packed
 * columns, as a decode of those bytes would give, without decoding them: what a store
 * keeps after a commit, so searches scan typed arrays rather than the lists added since
 * and removed passages are gone from memory too.
 */
export const encodeAndPackLexicalIndex = (index: LexicalIndex): { bytes: Buffer; packed: LexicalIndex } => {
  const { bytes, packed } = encode(index, true)
  return { bytes, packed: packed! }
}

const encode = (index: LexicalIndex, pack: boolean): { bytes: Buffer; packed?: LexicalIndex } => {
  const labels = [...index.lengths.keys()].sort((a, b) => a - b)
  const positions = positionsOf(labels)
  const dense = positions instanceof Int32Array ? positions : undefined
  const positionOf = (label: number): number => (dense ? (label < dense.length ? dense[label]! : -1) : ((positions as Map<number, number>).get(label) ?? -1))
  const columns = postingsOf(index)
  // Postings first, into their own buffer: a term whose passages were all removed is left out of the vocabulary.
  const body = new Writer(3 * (columns.labels.length + index.lengths.size * 8) + (1 << 16))
  const terms: string[] = []
  let postings = 0
  let at = new Int32Array(1024)
  let tf = new Uint32Array(1024)
  const packed = pack ? emptyColumns() : undefined
  if (packed) {
    packed.offsets = new Uint32Array(columns.terms.length + 1)
    packed.labels = new Uint32Array(columns.labels.length + addedCount(columns))
    packed.tfs = new Uint32Array(packed.labels.length)
  }
  for (let id = 0; id < columns.terms.length; id++) {
    const count = postingCount(columns, id)
    if (count > at.length) {
      at = new Int32Array(count * 2)
      tf = new Uint32Array(count * 2)
    }
    let size = 0
    if (id < columns.packedTerms) {
      for (let i = columns.offsets[id]!, end = columns.offsets[id + 1]!; i < end; i++) {
        const found = positionOf(columns.labels[i]!)
        if (found < 0) continue
        at[size] = found
        tf[size++] = columns.tfs[i]!
      }
    }
    const added = columns.addedLabels[id]
    if (added !== undefined) {
      const tfs = columns.addedTfs[id]!
      for (let i = 0; i < added.length; i++) {
        const found = positionOf(added[i]!)
        if (found < 0) continue
        at[size] = found
        tf[size++] = tfs[i]!
      }
    }
    if (size === 0) continue
    let sorted = true
    for (let i = 1; i < size && sorted; i++) sorted = at[i - 1]! < at[i]!
    if (!sorted) sortPairs(at, tf, size)
    if (packed) {
      for (let i = 0; i < size; i++) {
        packed.labels[postings + i] = labels[at[i]!]!
        packed.tfs[postings + i] = tf[i]!
      }
      packed.offsets[terms.length + 1] = postings + size
      packed.ids.set(columns.terms[id]!, terms.length)
      packed.terms.push(columns.terms[id]!)
    }
    terms.push(columns.terms[id]!)
    postings += size
    body.varint(size)
    let last = 0
    for (let i = 0; i < size; i++) {
      body.varint(at[i]! - last)
      body.varint(tf[i]!)
      last = at[i]!
    }
  }
  const header = { analyzer: index.analyzer, documents: labels.length, terms: terms.length, postings, totalLength: index.totalLength }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8')
  const vocabulary = Buffer.from(terms.join('\n'), 'utf8')
  const writer = new Writer(16 + headerBytes.length + vocabulary.length + 5 * labels.length + body.length)
  writer.raw(Buffer.from(MAGIC, 'latin1'))
  writer.u32(LEXICAL_FORMAT_VERSION)
  writer.u32(headerBytes.length)
  writer.raw(headerBytes)
  writer.u32(vocabulary.length)
  writer.raw(vocabulary)
  let previous = 0
  for (const label of labels) {
    writer.varint(label - previous)
    previous = label
  }
  writer.raw(body.bytes.subarray(0, body.length))
  writer.u32(crc32(writer.bytes.subarray(0, writer.length)))
  const bytes = Buffer.from(writer.bytes.buffer, 0, writer.length)
  if (!packed) return { bytes }
  packed.packedTerms = terms.length
  packed.offsets = packed.offsets.subarray(0, terms.length + 1)
  packed.labels = packed.labels.subarray(0, postings)
  packed.tfs = packed.tfs.subarray(0, postings)
  const next = createLexicalIndex(index.analyzer, packed)
  for (const label of labels) next.lengths.set(label, index.lengths.get(label)!)
  next.totalLength = index.totalLength
  return { bytes, packed: next }
}

const addedCount = (columns: PostingColumns): number => {
  let count = 0
  for (const list of columns.addedLabels) count += list?.length ?? 0
  return count
}

/** Sorts the first `size` pairs by position (postings appended out of label order: only after a remap by hand). */
const sortPairs = (at: Int32Array, tf: Uint32Array, size: number): void => {
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => at[a]! - at[b]!)
  const ats = order.map((i) => at[i]!)
  const tfs = order.map((i) => tf[i]!)
  for (let i = 0; i < size; i++) {
    at[i] = ats[i]!
    tf[i] = tfs[i]!
  }
}

const isAnalyzer = (value: unknown): value is Analyzer => {
  const analyzer = value as Partial<Analyzer> | null
  return typeof analyzer?.tokenizer === 'string' && typeof analyzer.stopWords === 'boolean' && typeof analyzer.stemming === 'boolean'
}

const count = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

export interface LexicalFileHeader {
  analyzer: Analyzer
  documents: number
  terms: number
  postings: number
  totalLength: number
}

interface Checked {
  header: LexicalFileHeader
  /** Where the vocabulary block starts. */
  offset: number
}

const failer = (file: string) => (what: string): never => {
  throw new CorruptStoreError(`${file}: ${what}.`)
}

/**
 * The whole-file checks, cheap enough for every open: magic, version, checksum and a
 * header whose counts fit in the file (so nothing is allocated from a crafted count).
 */
const checkFile = (data: Uint8Array, file: string): Checked => {
  const fail = failer(file)
  if (data.length < 16 || Buffer.from(data.subarray(0, 4)).toString('latin1') !== MAGIC) fail('not a Bento lexical index')
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const end = data.length - 4
  if (crc32(data.subarray(0, end)) !== view.getUint32(end, true)) fail('checksum mismatch')
  const version = view.getUint32(4, true)
  if (version > LEXICAL_FORMAT_VERSION) throw new RefusedError(`${file}: lexical index format ${version} is newer than this Bento supports (${LEXICAL_FORMAT_VERSION}); upgrade Bento.`)
  if (version !== LEXICAL_FORMAT_VERSION) fail(`unknown format ${version}`)
  const length = view.getUint32(8, true)
  if (12 + length > end) fail('header truncated')
  let header: Record<string, unknown>
  try {
    header = JSON.parse(Buffer.from(data.subarray(12, 12 + length)).toString('utf8')) as Record<string, unknown>
  } catch {
    return fail('header is not valid JSON')
  }
  const { analyzer, documents, terms, postings, totalLength } = header ?? {}
  if (!isAnalyzer(analyzer) || !count(documents) || !count(terms) || !count(postings) || !count(totalLength)) fail('malformed header')
  // Every label takes at least one byte, every posting two, every term one plus its separator.
  if ((documents as number) + 2 * (postings as number) + (terms as number) > data.length) fail('header counts exceed the file')
  return { header: { analyzer: analyzer as Analyzer, documents: documents as number, terms: terms as number, postings: postings as number, totalLength: totalLength as number }, offset: 12 + length }
}

/**
 * The header of a lexical index file after the whole-file checks (magic, version,
 * checksum): what an open needs before the full decode, which can wait for the
 * first lexical search.
 * @throws CorruptStoreError naming `file`; RefusedError for a newer format.
 */
export const readLexicalHeader = (data: Uint8Array, file: string): LexicalFileHeader => checkFile(data, file).header

/** Varints from `offset` up to `end`; a field with its own position, so the decoding loop keeps it in a register. */
class Reader {
  constructor(
    private readonly data: Uint8Array,
    public offset: number,
    private readonly end: number,
    private readonly fail: (what: string) => never,
  ) {}

  varint(): number {
    if (this.offset < this.end) {
      const first = this.data[this.offset]!
      // One byte is the common case (positions deltas and frequencies below 128).
      if (first < 0x80) {
        this.offset++
        return first
      }
    }
    let value = 0
    let scale = 1
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) this.fail('postings truncated')
      const byte = this.data[this.offset++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 128
    }
    return this.fail('varint too long')
  }
}

/** @throws CorruptStoreError naming `file` for anything malformed; RefusedError for a newer format. */
export const decodeLexicalIndex = (data: Uint8Array, file: string): LexicalIndex => {
  const fail = failer(file)
  const checked = checkFile(data, file)
  const { analyzer, documents, terms, postings, totalLength } = checked.header
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const end = data.length - 4
  let offset = checked.offset
  if (offset + 4 > end) fail('vocabulary truncated')
  const vocabularyLength = view.getUint32(offset, true)
  if (offset + 4 + vocabularyLength > end) fail('vocabulary truncated')
  const vocabularyBytes = data.subarray(offset + 4, offset + 4 + vocabularyLength)
  offset += 4 + vocabularyLength
  const vocabulary = vocabularyBytes.length === 0 ? [] : Buffer.from(vocabularyBytes).toString('utf8').split('\n')
  if (vocabulary.length !== terms) fail(`vocabulary holds ${vocabulary.length} terms, header says ${terms}`)

  const reader = new Reader(data, offset, end, fail)
  const labels = new Float64Array(documents)
  let label = 0
  for (let i = 0; i < documents; i++) {
    const delta = reader.varint()
    if (i > 0 && delta === 0) fail('labels not strictly ascending')
    label += delta
    if (label > MAX_LABEL) fail(`label ${label} is not a uint32`)
    labels[i] = label
  }
  const lengths = new Float64Array(documents)
  const columns: PostingColumns = { ...emptyColumns(), terms: vocabulary }
  const offsets = (columns.offsets = new Uint32Array(terms + 1))
  const postingLabels = (columns.labels = new Uint32Array(postings))
  const postingTfs = (columns.tfs = new Uint32Array(postings))
  const { ids } = columns
  let seen = 0
  for (let id = 0; id < terms; id++) {
    const term = vocabulary[id]!
    ids.set(term, id)
    if (term.length === 0 || ids.size !== id + 1) fail(`empty or repeated term ${JSON.stringify(term.slice(0, 40))}`)
    const size = reader.varint()
    if (size === 0 || size > documents) fail(`term ${JSON.stringify(term.slice(0, 40))}: ${size} postings`)
    if (seen + size > postings) fail(`more postings than the header's ${postings}`)
    let at = -1
    for (let i = seen, stop = seen + size; i < stop; i++) {
      const delta = reader.varint()
      if (i > seen && delta === 0) fail(`term ${JSON.stringify(term.slice(0, 40))}: positions not ascending`)
      at = i === seen ? delta : at + delta
      if (at >= documents) fail(`term ${JSON.stringify(term.slice(0, 40))}: position ${at} out of range`)
      const tf = reader.varint()
      if (tf === 0) fail(`term ${JSON.stringify(term.slice(0, 40))}: zero frequency`)
      postingLabels[i] = labels[at]!
      postingTfs[i] = tf
      lengths[at]! += tf
    }
    seen += size
    offsets[id + 1] = seen
  }
  offset = reader.offset
  if (offset !== end) fail(`${end - offset} unexpected bytes after the postings`)
  if (seen !== postings) fail(`${seen} postings, header says ${postings}`)
  columns.packedTerms = terms
  const index = createLexicalIndex(analyzer, columns)
  let total = 0
  for (let i = 0; i < documents; i++) {
    index.lengths.set(labels[i]!, lengths[i]!)
    total += lengths[i]!
  }
  if (total !== totalLength) fail(`passage lengths add up to ${total}, header says ${totalLength}`)
  index.totalLength = totalLength
  return index
}
