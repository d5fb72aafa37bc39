/**
 * A file's type is its extension, confirmed by its content: a `.pdf` must start
 * with `%PDF-`, a `.docx` must be a zip, and text types must decode (UTF-8, or
 * the charset they declare: `charset.ts`) without NUL bytes. Threat: a binary renamed to a trusted extension reaching a
 * parser (or the index) as if it were that type.
 * Tests: test/core/ingest/file-type.test.ts.
 */
import path from 'node:path'
import { EmptyFileError, UnreadableFileError, UnsupportedTypeError } from '../errors.js'
import { decodeText } from './charset.js'
import type { FileType } from './types.js'

const EXTENSIONS: Record<string, FileType> = {
  '.txt': 'txt',
  '.text': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.json': 'json',
  '.pdf': 'pdf',
  '.docx': 'docx',
}

export const SUPPORTED_EXTENSIONS = Object.keys(EXTENSIONS)

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d] // %PDF-
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] // PK\3\4

const startsWith = (bytes: Uint8Array, magic: number[]): boolean => magic.every((byte, i) => bytes[i] === byte)

export const describeFile = (fileName: string): string => JSON.stringify(fileName)

/** The type an extension claims (case-insensitive). Throws `UnsupportedTypeError`. */
export const fileTypeFromName = (fileName: string): FileType => {
  const extension = path.extname(fileName).toLowerCase()
  const type = EXTENSIONS[extension]
  if (type === undefined) {
    const what = extension ? `type "${extension}"` : 'a file without an extension'
    throw new UnsupportedTypeError(`Unsupported file ${describeFile(fileName)}: ${what}; supported: ${SUPPORTED_EXTENSIONS.join(', ')}.`)
  }
  return type
}

/** Decodes a text upload by its declared charset, else strict UTF-8 (a BOM is dropped). Throws `UnreadableFileError` naming the file. */
export const decodeTextFile = (fileName: string, bytes: Uint8Array, type: FileType): string => decodeText(bytes, type, describeFile(fileName))

/**
 * The type of an upload, by extension and content.
 *
 * @example
 * detectFileType('report.pdf', bytes) // 'pdf' — or UnreadableFileError if bytes are not a PDF
 */
export const detectFileType = (fileName: string, bytes: Uint8Array): FileType => {
  const type = fileTypeFromName(fileName)
  if (bytes.length === 0) throw new EmptyFileError(`The file ${describeFile(fileName)} is empty.`)
  const mismatch = (expected: string) =>
    new UnreadableFileError(`Cannot read ${describeFile(fileName)}: its content is not ${expected}, whatever its extension says.`)
  if (type === 'pdf' && !startsWith(bytes, PDF_MAGIC)) throw mismatch('a PDF (no %PDF- header)')
  if (type === 'docx' && !startsWith(bytes, ZIP_MAGIC)) throw mismatch('a DOCX (not a zip archive)')
  if (type !== 'pdf' && type !== 'docx') decodeTextFile(fileName, bytes, type)
  return type
}
