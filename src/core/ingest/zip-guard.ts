/**
 * Threat: a DOCX zip bomb. mammoth (through JSZip) inflates each part it reads
 * in full before Bento's text cap applies, so a small upload can expand to
 * gigabytes in memory. Before mammoth sees the bytes, the zip's central
 * directory is read and the archive refused when the uncompressed sizes it
 * declares add up to more than the cap; then each deflated entry is inflated
 * with its output capped at its declared size, so an entry that understates
 * its size is refused too instead of trusted.
 * Test: test/core/ingest/zip-guard.test.ts.
 */
import { inflateRawSync } from 'node:zlib'
import { TooLargeError, UnreadableFileError } from '../errors.js'
import { describeFile } from './file-type.js'
import { countXmlElements } from './shape.js'

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL_HEADER = 0x02014b50
const LOCAL_HEADER = 0x04034b50
const ZIP64_EXTRA = 0x0001
const MAX_U32 = 0xffffffff
const MAX_COMMENT = 0xffff
const DEFLATE = 8

interface ZipEntry {
  name: string
  method: number
  compressedSize: number
  uncompressedSize: number
  localOffset: number
}

class Reader {
  private readonly view: DataView
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  has(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset + length <= this.bytes.length
  }
  u16 = (offset: number): number => this.view.getUint16(offset, true)
  u32 = (offset: number): number => this.view.getUint32(offset, true)
  u64 = (offset: number): number => Number(this.view.getBigUint64(offset, true))
}

const findEocd = (reader: Reader): number => {
  const last = reader.bytes.length - 22
  for (let offset = last; offset >= Math.max(0, last - MAX_COMMENT); offset--) {
    if (reader.u32(offset) === EOCD) return offset
  }
  return -1
}

/** Where the central directory is and how many entries it holds (zip64 aware). */
const locateCentralDirectory = (reader: Reader, eocd: number): { offset: number; entries: number } => {
  let entries = reader.u16(eocd + 10)
  let offset = reader.u32(eocd + 16)
  const locator = eocd - 20
  if ((entries === 0xffff || offset === MAX_U32) && reader.has(locator, 20) && reader.u32(locator) === ZIP64_LOCATOR) {
    const record = reader.u64(locator + 8)
    if (!reader.has(record, 56) || reader.u32(record) !== ZIP64_EOCD) throw new Error('bad zip64 end record')
    entries = reader.u64(record + 32)
    offset = reader.u64(record + 48)
  }
  return { offset, entries }
}

/** The sizes a zip64 extra field holds in place of 0xFFFFFFFF values. */
const readZip64Sizes = (reader: Reader, start: number, end: number, entry: ZipEntry): void => {
  for (let at = start; at + 4 <= end; ) {
    const id = reader.u16(at)
    const size = reader.u16(at + 2)
    if (id === ZIP64_EXTRA) {
      let field = at + 4
      const take = (): number => {
        if (field + 8 > at + 4 + size) throw new Error('short zip64 field')
        const value = reader.u64(field)
        field += 8
        return value
      }
      if (entry.uncompressedSize === MAX_U32) entry.uncompressedSize = take()
      if (entry.compressedSize === MAX_U32) entry.compressedSize = take()
      if (entry.localOffset === MAX_U32) entry.localOffset = take()
      return
    }
    at += 4 + size
  }
}

const readEntries = (reader: Reader): ZipEntry[] => {
  const eocd = findEocd(reader)
  if (eocd < 0) throw new Error('no end of central directory')
  const directory = locateCentralDirectory(reader, eocd)
  const entries: ZipEntry[] = []
  let at = directory.offset
  for (let index = 0; index < directory.entries; index++) {
    if (!reader.has(at, 46) || reader.u32(at) !== CENTRAL_HEADER) throw new Error('truncated central directory')
    const nameLength = reader.u16(at + 28)
    const extraLength = reader.u16(at + 30)
    const commentLength = reader.u16(at + 32)
    if (!reader.has(at + 46, nameLength + extraLength + commentLength)) throw new Error('truncated central directory')
    const entry: ZipEntry = {
      name: Buffer.from(reader.bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8'),
      method: reader.u16(at + 10),
      compressedSize: reader.u32(at + 20),
      uncompressedSize: reader.u32(at + 24),
      localOffset: reader.u32(at + 42),
    }
    readZip64Sizes(reader, at + 46 + nameLength, at + 46 + nameLength + extraLength, entry)
    entries.push(entry)
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** An entry's content: a deflated one is inflated into at most its declared size, and throws when it holds more. */
const readEntry = (reader: Reader, entry: ZipEntry): Uint8Array => {
  const local = entry.localOffset
  if (!reader.has(local, 30) || reader.u32(local) !== LOCAL_HEADER) throw new Error(`no local header for ${entry.name}`)
  const start = local + 30 + reader.u16(local + 26) + reader.u16(local + 28)
  if (!reader.has(start, entry.compressedSize)) throw new Error(`truncated data for ${entry.name}`)
  const data = reader.bytes.subarray(start, start + entry.compressedSize)
  return entry.method === DEFLATE ? inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) }) : data
}

export interface ZipShapeLimits {
  maxZipEntries: number
  /** XML elements across every `.xml`/`.rels` part: what mammoth turns into objects. */
  maxXmlElements: number
  maxXmlDepth: number
}

const isXmlPart = (name: string): boolean => /\.(xml|rels)$/i.test(name)

/**
 * Refuses (`TooLargeError`) a zip that would inflate to more than `maxBytes`,
 * by its declared sizes or by what its entries really hold; a zip whose
 * directory cannot be read is `UnreadableFileError`.
 *
 * @example
 * assertZipInflatesWithin('report.docx', bytes, 80 * 1024 * 1024)
 */
export const assertZipInflatesWithin = (fileName: string, bytes: Uint8Array, maxBytes: number, shape?: ZipShapeLimits): void => {
  const reader = new Reader(bytes)
  let entries: ZipEntry[]
  try {
    entries = reader.bytes.length >= 22 ? readEntries(reader) : []
    if (entries.length === 0) throw new Error('no entries')
  } catch (error) {
    throw new UnreadableFileError(`Cannot read ${describeFile(fileName)}: it is not a readable DOCX document.`, error)
  }
  if (shape && entries.length > shape.maxZipEntries) {
    throw new TooLargeError(`${describeFile(fileName)} has ${entries.length} zip entries; the limit is ${shape.maxZipEntries} (the zip entries budget).`)
  }
  const declared = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0)
  const tooLarge = () => new TooLargeError(`${describeFile(fileName)} would inflate to more than ${maxBytes} bytes.`)
  if (declared > maxBytes) throw tooLarge()
  let elements = 0
  for (const entry of entries) {
    const scan = shape !== undefined && isXmlPart(entry.name)
    if (entry.method !== DEFLATE && !scan) continue
    let content: Uint8Array
    try {
      content = readEntry(reader, entry)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge()
      throw new UnreadableFileError(`Cannot read ${describeFile(fileName)}: it is not a readable DOCX document.`, error)
    }
    if (scan) elements = countXmlElements(fileName, content, { maxXmlDepth: shape.maxXmlDepth, maxElements: shape.maxXmlElements }, elements)
  }
}
