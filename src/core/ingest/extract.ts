/**
 * Turns an upload into text and a title. Limits are checked before any parser
 * sees the bytes; every failure names the file and has a stable code:
 * `unsupported_type`, `too_large`, `empty_file`, `unreadable_file`. A DOCX
 * that would inflate past 8× the file-size limit (100 MiB at most) and a PDF
 * of more than 2,000 pages are `too_large` before their parser reads them.
 */
import { EmptyFileError, TooLargeError, UnreadableFileError } from '../errors.js'
import { extractDocxText } from './extract-docx.js'
import { extractHtmlText } from './extract-html.js'
import { extractPdfText } from './extract-pdf.js'
import { decodeUtf8, describeFile, detectFileType, fileTypeFromName } from './file-type.js'
import { docxInflateLimit, resolveLimits } from './limits.js'
import { jsonTitle, renderJsonText } from './render-json.js'
import type { ExtractedDocument, FileType, IngestLimits } from './types.js'

interface Extracted {
  title: string | undefined
  text: string
}

/** The first `# ` heading (ATX, closing #s dropped), scanned line by line to stay linear. */
const markdownTitle = (text: string): string | undefined => {
  for (const line of text.split('\n')) {
    if (!/^#[ \t]/.test(line)) continue
    const words = line.slice(1).trim().split(/[ \t]+/)
    while (words.length > 0 && /^#+$/.test(words.at(-1) ?? '')) words.pop()
    const title = words.join(' ')
    if (title) return title
  }
  return undefined
}

const parseJson = (fileName: string, text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UnreadableFileError(`Cannot read ${describeFile(fileName)}: it is not valid JSON (${(error as Error).message}).`, error)
  }
}

const extractByType = async (type: FileType, fileName: string, bytes: Uint8Array, limits: Required<IngestLimits>): Promise<Extracted> => {
  switch (type) {
    case 'txt':
      return { title: undefined, text: decodeUtf8(fileName, bytes) }
    case 'md': {
      const text = decodeUtf8(fileName, bytes)
      return { title: markdownTitle(text), text }
    }
    case 'html':
      return extractHtmlText(decodeUtf8(fileName, bytes))
    case 'json': {
      const value = parseJson(fileName, decodeUtf8(fileName, bytes))
      return { title: jsonTitle(value), text: renderJsonText(value) }
    }
    case 'pdf':
      return extractPdfText(fileName, bytes, limits.maxTextChars)
    case 'docx':
      return { title: undefined, text: await extractDocxText(fileName, bytes, docxInflateLimit(limits.maxFileBytes)) }
  }
}

/**
 * Extracts the text and title of an upload (txt, md, html, json, pdf, docx).
 * The title falls back to the file name.
 *
 * @example
 * const doc = await extractText('speech.md', bytes, { maxFileBytes: 1_000_000 })
 * // { title: 'Gettysburg Address', text: '…', fileType: 'md' }
 */
export const extractText = async (fileName: string, bytes: Uint8Array, limits?: IngestLimits): Promise<ExtractedDocument> => {
  const resolved = resolveLimits(limits)
  const { maxFileBytes, maxTextChars } = resolved
  fileTypeFromName(fileName)
  if (bytes.length > maxFileBytes) {
    throw new TooLargeError(`The file ${describeFile(fileName)} is ${bytes.length} bytes; the limit is ${maxFileBytes}.`)
  }
  const fileType = detectFileType(fileName, bytes)
  const extracted = await extractByType(fileType, fileName, bytes, resolved)
  const text = extracted.text.replace(/\r\n?/g, '\n').trim()
  if (text.length === 0) throw new EmptyFileError(`The file ${describeFile(fileName)} contains no text.`)
  if (text.length > maxTextChars) throw new TooLargeError(`${describeFile(fileName)} has more than ${maxTextChars} characters of text.`)
  const title = extracted.title?.replace(/\s+/g, ' ').trim() || fileName
  return { title, text, fileType }
}
