/**
 * A PDF's page content counted before pdf.js parses it: every page's content
 * streams, decoded, summed over the pages (a stream that 200 pages share counts
 * 200 times, as pdf.js lexes it 200 times). Threat (issue 12 item 2): a 41 KB
 * PDF whose 200 pages reference one 10 MiB whitespace stream kept a parser busy
 * for half a minute within the page cap; it is refused at once, naming the budget.
 *
 * A light scan of the file's objects, not a PDF parser: plain objects and the
 * object streams (`/Type /ObjStm`) page dictionaries may hide in are read;
 * content streams (never inside object streams) are inflated with a bounded
 * output. What the scan cannot see is still bounded by the worker's time and
 * memory budgets. Test: test/core/ingest/hostile-files.test.ts.
 */
import { constants, inflateSync } from 'node:zlib'
import { TooLargeError } from '../errors.js'

interface PdfObject {
  dict: string
  /** Where its stream's bytes begin and end, when it has one. */
  stream?: { start: number; end: number }
}

const OBJECT = /(\d+)\s+\d+\s+obj\b/g
const DICT_WINDOW = 64 * 1024
const PAGE = /\/Type\s*\/Page(?![A-Za-z])/
const CONTENTS_REF = /\/Contents\s*(\d+)\s+\d+\s+R/
const CONTENTS_ARRAY = /\/Contents\s*\[([^\]]*)\]/
const REF = /(\d+)\s+\d+\s+R/g
/** Decoded object streams read in all, at most: page dictionaries are small. */
const MAX_OBJECT_STREAM_BYTES = 32 * 1024 * 1024

const isFlate = (dict: string): boolean => /\/Filter\s*(\[\s*)?\/(FlateDecode|Fl)\b/.test(dict)

/** Inflates at most `limit` bytes; a longer output answers `limit + 1`. Truncated input inflates as far as it goes. */
const inflatedSize = (data: Uint8Array, limit: number): { size: number; bytes?: Buffer } => {
  try {
    const bytes = inflateSync(data, { maxOutputLength: Math.max(1, limit + 1), finishFlush: constants.Z_SYNC_FLUSH })
    return { size: bytes.length, bytes }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { size: limit + 1 }
    return { size: data.length }
  }
}

const scanObjects = (text: string): Map<number, PdfObject> => {
  const objects = new Map<number, PdfObject>()
  for (const match of text.matchAll(OBJECT)) {
    const from = match.index + match[0].length
    const window = text.slice(from, from + DICT_WINDOW)
    const streamAt = window.search(/\bstream\r?\n/)
    const endAt = window.indexOf('endobj')
    if (streamAt !== -1 && (endAt === -1 || streamAt < endAt)) {
      const start = from + streamAt + window.slice(streamAt).indexOf('\n') + 1
      const end = text.indexOf('endstream', start)
      objects.set(Number(match[1]), { dict: window.slice(0, streamAt), stream: { start, end: end === -1 ? text.length : end } })
    } else {
      objects.set(Number(match[1]), { dict: endAt === -1 ? window : window.slice(0, endAt) })
    }
  }
  return objects
}

/** The objects packed in object streams (`/Type /ObjStm`), by number. */
const unpackObjectStreams = (bytes: Uint8Array, objects: Map<number, PdfObject>): Map<number, string> => {
  const packed = new Map<number, string>()
  let budget = MAX_OBJECT_STREAM_BYTES
  for (const object of objects.values()) {
    if (!object.stream || !/\/Type\s*\/ObjStm\b/.test(object.dict) || !isFlate(object.dict) || budget <= 0) continue
    const { bytes: decoded } = inflatedSize(bytes.subarray(object.stream.start, object.stream.end), budget)
    if (!decoded) continue
    budget -= decoded.length
    const content = decoded.toString('latin1')
    const first = Number(/\/First\s+(\d+)/.exec(object.dict)?.[1] ?? NaN)
    if (!Number.isInteger(first)) continue
    const header = content.slice(0, first).trim().split(/\s+/).map(Number)
    for (let i = 0; i + 1 < header.length; i += 2) {
      const start = first + header[i + 1]!
      const end = i + 3 < header.length ? first + header[i + 3]! : content.length
      packed.set(header[i]!, content.slice(start, end))
    }
  }
  return packed
}

/**
 * Throws `TooLargeError` naming the budget when the pages' content streams, decoded and
 * counted once per page that draws them, exceed `maxContentBytes`.
 */
export const assertPdfContentBudget = (named: string, bytes: Uint8Array, maxContentBytes: number): void => {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  const objects = scanObjects(text)
  const packed = unpackObjectStreams(bytes, objects)
  const sizes = new Map<number, number>()
  let total = 0
  let pages = 0
  const streamSize = (num: number): number => {
    const known = sizes.get(num)
    if (known !== undefined) return known
    const object = objects.get(num)
    let size = 0
    if (object?.stream) {
      const data = bytes.subarray(object.stream.start, object.stream.end)
      size = isFlate(object.dict) ? inflatedSize(data, maxContentBytes - total).size : data.length
    }
    sizes.set(num, size)
    return size
  }
  const contentRefs = (dict: string): number[] => {
    const single = CONTENTS_REF.exec(dict)
    if (single) {
      // An indirect /Contents may name an array of streams rather than one stream.
      const target = Number(single[1])
      const targetDict = objects.get(target)
      if (targetDict && !targetDict.stream && /^\s*\[/.test(targetDict.dict)) return [...targetDict.dict.matchAll(REF)].map((ref) => Number(ref[1]))
      return [target]
    }
    const array = CONTENTS_ARRAY.exec(dict)
    return array ? [...array[1]!.matchAll(REF)].map((ref) => Number(ref[1])) : []
  }
  const pageDicts = [...objects.values()].map((object) => object.dict).concat([...packed.values()])
  for (const dict of pageDicts) {
    if (!PAGE.test(dict)) continue
    pages++
    for (const ref of contentRefs(dict)) {
      total += streamSize(ref)
      if (total > maxContentBytes) {
        throw new TooLargeError(`${named} has more than ${maxContentBytes} bytes of page content to parse by page ${pages} (each page's content streams, decoded; the PDF content budget).`)
      }
    }
  }
}
