/**
 * Text uploads are decoded by the charset they declare: a byte order mark, an
 * HTML `<meta charset>` (or `http-equiv` Content-Type) in the first 1,024
 * bytes, or an XML declaration's `encoding`. Without a declaration a file must
 * be UTF-8. Real documents in Latin-1 or Windows-1252 (older HTML manuals, a
 * `.txt` saved by an old editor with a BOM) are read rather than refused; only
 * bytes that cannot be decoded by the declared charset, or a charset Node does
 * not know, are rejected (`unreadable_file`). Labels resolve as a browser
 * resolves them (WHATWG Encoding): `iso-8859-1` and `latin1` mean windows-1252.
 * Tests: test/core/ingest/charset.test.ts.
 */
import { TextDecoder } from 'node:util'
import { UnreadableFileError } from '../errors.js'
import type { FileType } from './types.js'

/** The HTML prescan window (HTML Standard, "prescan a byte stream to determine its encoding"). */
const PRESCAN_BYTES = 1024

const BOMS: Array<{ bytes: number[]; encoding: string }> = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
]

const META_CHARSET = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)/i
const XML_ENCODING = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_.:+-]+)["']/

export interface Declared {
  /** The label as the file wrote it. */
  label: string
  /** Where it was declared. */
  by: 'a byte order mark' | 'its <meta charset>' | 'its XML declaration'
}

const bomOf = (bytes: Uint8Array): string | undefined =>
  BOMS.find(({ bytes: bom }) => bom.every((byte, i) => bytes[i] === byte))?.encoding

/** The charset a text file declares, or undefined (then it must be UTF-8). */
export const declaredCharset = (bytes: Uint8Array, type: FileType): Declared | undefined => {
  const bom = bomOf(bytes)
  if (bom) return { label: bom, by: 'a byte order mark' }
  if (type !== 'html' && type !== 'txt' && type !== 'md') return undefined
  const head = Buffer.from(bytes.subarray(0, PRESCAN_BYTES)).toString('latin1')
  const xml = XML_ENCODING.exec(head)
  if (xml) return { label: xml[1]!, by: 'its XML declaration' }
  if (type !== 'html') return undefined
  const meta = META_CHARSET.exec(head)
  return meta ? { label: meta[1]!, by: 'its <meta charset>' } : undefined
}

/**
 * WHATWG windows-1252 at 0x80–0x9F (the rest is Latin-1). Node 20's TextDecoder labels
 * `iso-8859-1` and `windows-1252` as windows-1252 but decodes these bytes as C1 controls, so
 * curly quotes, dashes and the euro sign of real documents would come out as control characters.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'
const C1 = /[\u0080-\u009f]/g
const fixCp1252 = (text: string): string => text.replace(C1, (char) => CP1252_HIGH[char.charCodeAt(0) - 0x80]!)

const decoderFor = (label: string): TextDecoder | undefined => {
  try {
    return new TextDecoder(label, { fatal: true })
  } catch {
    return undefined
  }
}

/**
 * Decodes a text upload (txt, md, html, json) by its declared charset, else as strict UTF-8.
 * Throws `UnreadableFileError` naming the file and the charset when the bytes cannot be decoded.
 *
 * @example
 * decodeText('old.html', latin1Bytes, 'html', '"old.html"') // 'Café …' (declared <meta charset="iso-8859-1">)
 */
export const decodeText = (bytes: Uint8Array, type: FileType, named: string): string => {
  const declared = declaredCharset(bytes, type)
  let decoder = declared ? decoderFor(declared.label) : new TextDecoder('utf-8', { fatal: true })
  if (declared && !decoder) throw new UnreadableFileError(`Cannot read ${named}: it declares the charset ${JSON.stringify(declared.label)} (by ${declared.by}), which is not one this server can decode.`)
  // A <meta> naming UTF-16 in a document that could be read to find it is ASCII-compatible: UTF-8 (as browsers do).
  if (declared && declared.by !== 'a byte order mark' && decoder!.encoding.startsWith('utf-16')) decoder = new TextDecoder('utf-8', { fatal: true })
  let text: string
  try {
    text = decoder!.decode(bytes)
    if (decoder!.encoding === 'windows-1252') text = fixCp1252(text)
  } catch (error) {
    const charset = decoder!.encoding === 'utf-8' ? 'UTF-8' : decoder!.encoding
    const hint = declared ? ` (declared by ${declared.by})` : '; a file in another charset must declare it (a byte order mark, <meta charset> or an XML declaration)'
    throw new UnreadableFileError(`Cannot read ${named}: it is not valid ${charset} text${hint}.`, error)
  }
  if (text.includes('\u0000')) throw new UnreadableFileError(`Cannot read ${named}: it contains NUL bytes, so it is not text.`)
  return text
}
