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
import type { Analyzer, LexicalIndex, Posting } from './bm25.js'

export const LEXICAL_FORMAT_VERSION = 1
const MAGIC = 'BLEX'
const MAX_LABEL = 0xffff_ffff

class Writer {
  bytes = new Uint8Array(1 << 16)
  length = 0

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

/** Serializes the live part of the index. */
export const encodeLexicalIndex = (index: LexicalIndex): Buffer => {
  const labels = [...index.lengths.keys()].sort((a, b) => a - b)
  const position = new Map<number, number>()
  labels.forEach((label, i) => position.set(label, i))
  // Postings first, into their own buffer: a term whose passages were all removed is left out of the vocabulary.
  const body = new Writer()
  const terms: string[] = []
  let postings = 0
  const at: number[] = []
  const tf: number[] = []
  for (const [term, posting] of index.postings) {
    livePostings(posting, position, at, tf)
    if (at.length === 0) continue
    terms.push(term)
    postings += at.length
    body.varint(at.length)
    let last = 0
    for (let i = 0; i < at.length; i++) {
      body.varint(at[i]! - last)
      body.varint(tf[i]!)
      last = at[i]!
    }
  }
  const header = { analyzer: index.analyzer, documents: labels.length, terms: terms.length, postings, totalLength: index.totalLength }
  const writer = new Writer()
  writer.raw(Buffer.from(MAGIC, 'latin1'))
  writer.u32(LEXICAL_FORMAT_VERSION)
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8')
  writer.u32(headerBytes.length)
  writer.raw(headerBytes)
  const vocabulary = Buffer.from(terms.join('\n'), 'utf8')
  writer.u32(vocabulary.length)
  writer.raw(vocabulary)
  let previous = 0
  for (const label of labels) {
    writer.varint(label - previous)
    previous = label
  }
  writer.raw(body.bytes.subarray(0, body.length))
  writer.u32(crc32(writer.bytes.subarray(0, writer.length)))
  return Buffer.from(writer.bytes.buffer, 0, writer.length)
}

/** Fills `at`/`tf` with the posting's live passages by position, ascending (labels are appended in order; sorted only if not). */
const livePostings = (posting: Posting, position: ReadonlyMap<number, number>, at: number[], tf: number[]): void => {
  at.length = 0
  tf.length = 0
  let sorted = true
  for (let i = 0; i < posting.labels.length; i++) {
    const found = position.get(posting.labels[i]!)
    if (found === undefined) continue
    if (at.length > 0 && found <= at[at.length - 1]!) sorted = false
    at.push(found)
    tf.push(posting.tfs[i]!)
  }
  if (sorted) return
  const order = at.map((_, i) => i).sort((a, b) => at[a]! - at[b]!)
  const [ats, tfs] = [order.map((i) => at[i]!), order.map((i) => tf[i]!)]
  for (let i = 0; i < order.length; i++) {
    at[i] = ats[i]!
    tf[i] = tfs[i]!
  }
}

const isAnalyzer = (value: unknown): value is Analyzer => {
  const analyzer = value as Partial<Analyzer> | null
  return typeof analyzer?.tokenizer === 'string' && typeof analyzer.stopWords === 'boolean' && typeof analyzer.stemming === 'boolean'
}

const count = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

/** @throws CorruptStoreError naming `file` for anything malformed; RefusedError for a newer format. */
export const decodeLexicalIndex = (data: Uint8Array, file: string): LexicalIndex => {
  const fail = (what: string): never => {
    throw new CorruptStoreError(`${file}: ${what}.`)
  }
  if (data.length < 16 || Buffer.from(data.subarray(0, 4)).toString('latin1') !== MAGIC) fail('not a Bento lexical index')
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const end = data.length - 4
  if (crc32(data.subarray(0, end)) !== view.getUint32(end, true)) fail('checksum mismatch')
  const version = view.getUint32(4, true)
  if (version > LEXICAL_FORMAT_VERSION) throw new RefusedError(`${file}: lexical index format ${version} is newer than this Bento supports (${LEXICAL_FORMAT_VERSION}); upgrade Bento.`)
  if (version !== LEXICAL_FORMAT_VERSION) fail(`unknown format ${version}`)
  let offset = 8
  const block = (what: string): Uint8Array => {
    if (offset + 4 > end) fail(`${what} truncated`)
    const length = view.getUint32(offset, true)
    if (offset + 4 + length > end) fail(`${what} truncated`)
    const bytes = data.subarray(offset + 4, offset + 4 + length)
    offset += 4 + length
    return bytes
  }
  let header: Record<string, unknown>
  try {
    header = JSON.parse(Buffer.from(block('header')).toString('utf8')) as Record<string, unknown>
  } catch (error) {
    if (error instanceof CorruptStoreError) throw error
    return fail('header is not valid JSON')
  }
  const { analyzer, documents, terms, postings, totalLength } = header ?? {}
  if (!isAnalyzer(analyzer) || !count(documents) || !count(terms) || !count(postings) || !count(totalLength)) fail('malformed header')
  const vocabularyBytes = block('vocabulary')
  const vocabulary = vocabularyBytes.length === 0 ? [] : Buffer.from(vocabularyBytes).toString('utf8').split('\n')
  if (vocabulary.length !== terms) fail(`vocabulary holds ${vocabulary.length} terms, header says ${String(terms)}`)

  const varint = (): number => {
    let value = 0
    let scale = 1
    for (let i = 0; i < 5; i++) {
      if (offset >= end) fail('postings truncated')
      const byte = data[offset++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 128
    }
    return fail('varint too long')
  }
  const labels = new Array<number>(documents as number)
  let label = 0
  for (let i = 0; i < (documents as number); i++) {
    const delta = varint()
    if (i > 0 && delta === 0) fail('labels not strictly ascending')
    label += delta
    if (label > MAX_LABEL) fail(`label ${label} is not a uint32`)
    labels[i] = label
  }
  const lengths = new Array<number>(documents as number).fill(0)
  const index: LexicalIndex = { analyzer: analyzer as Analyzer, lengths: new Map(), postings: new Map(), totalLength: totalLength as number }
  let seen = 0
  for (const term of vocabulary) {
    if (term.length === 0 || index.postings.has(term)) fail(`empty or repeated term ${JSON.stringify(term.slice(0, 40))}`)
    const size = varint()
    if (size === 0 || size > (documents as number)) fail(`term ${JSON.stringify(term.slice(0, 40))}: ${size} postings`)
    const posting: Posting = { labels: new Array<number>(size), tfs: new Array<number>(size) }
    let at = -1
    for (let i = 0; i < size; i++) {
      const delta = varint()
      if (i > 0 && delta === 0) fail(`term ${JSON.stringify(term.slice(0, 40))}: positions not ascending`)
      at = i === 0 ? delta : at + delta
      if (at >= (documents as number)) fail(`term ${JSON.stringify(term.slice(0, 40))}: position ${at} out of range`)
      const tf = varint()
      if (tf === 0) fail(`term ${JSON.stringify(term.slice(0, 40))}: zero frequency`)
      posting.labels[i] = labels[at]!
      posting.tfs[i] = tf
      lengths[at]! += tf
    }
    seen += size
    index.postings.set(term, posting)
  }
  if (offset !== end) fail(`${end - offset} unexpected bytes after the postings`)
  if (seen !== postings) fail(`${seen} postings, header says ${String(postings)}`)
  let total = 0
  labels.forEach((at, i) => {
    index.lengths.set(at, lengths[i]!)
    total += lengths[i]!
  })
  if (total !== totalLength) fail(`passage lengths add up to ${total}, header says ${String(totalLength)}`)
  return index
}
