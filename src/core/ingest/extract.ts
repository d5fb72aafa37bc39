/**
 * Turns an upload into text and a title. Limits are checked before any parser
 * sees the bytes; every failure names the file and has a stable code:
 * `unsupported_type`, `too_large`, `empty_file`, `unreadable_file`.
 *
 * Threat: a small hostile file (a zip or XML bomb, deep nesting, a PDF whose
 * pages share one huge stream) taking the process's heap or its event loop.
 * txt and md are decoded here (linear, no parser). HTML, JSON, PDF and DOCX
 * go to a worker thread (`extract-pool.ts`) with a heap limit and a wall-clock
 * limit enforced from outside the parser, after structural caps (`shape.ts`,
 * `zip-guard.ts`) that refuse what a format would expand to.
 * Tests: test/core/ingest/hostile-files.test.ts, test/server/hostile-upload.test.ts.
 */
import { EmptyFileError, TooLargeError, UnreadableFileError } from '../errors.js'
import { decodeTextFile, describeFile, detectFileType, fileTypeFromName } from './file-type.js'
import { docxInflateLimit, resolveLimits, type ResolvedLimits } from './limits.js'
import { extractInWorker } from './extract-pool.js'
import { jsonTitle, renderJsonText } from './render-json.js'
import { assertHtmlDepth, assertJsonShape } from './shape.js'
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

const textTooLong = (fileName: string, maxTextChars: number) =>
  new TooLargeError(`${describeFile(fileName)} has more than ${maxTextChars} characters of text.`)

const extractByType = async (type: FileType, fileName: string, bytes: Uint8Array, limits: ResolvedLimits): Promise<Extracted> => {
  switch (type) {
    case 'txt':
      return { title: undefined, text: decodeTextFile(fileName, bytes, type) }
    case 'md': {
      const text = decodeTextFile(fileName, bytes, type)
      return { title: markdownTitle(text), text }
    }
    case 'html': {
      const html = decodeTextFile(fileName, bytes, type)
      assertHtmlDepth(fileName, html, limits.maxHtmlDepth)
      const { extractHtmlText } = await import('./extract-html.js')
      return extractHtmlText(html)
    }
    case 'json': {
      const text = decodeTextFile(fileName, bytes, type)
      assertJsonShape(fileName, text, limits)
      const value = parseJson(fileName, text)
      return { title: jsonTitle(value), text: renderJsonText(value, limits.maxTextChars, () => textTooLong(fileName, limits.maxTextChars)) }
    }
    case 'pdf': {
      const { extractPdfText } = await import('./extract-pdf.js')
      return extractPdfText(fileName, bytes, limits.maxTextChars, limits.maxPdfPages, limits.maxPdfContentBytes)
    }
    case 'docx': {
      const { extractDocxText } = await import('./extract-docx.js')
      return { title: undefined, text: await extractDocxText(fileName, bytes, docxInflateLimit(limits.maxFileBytes), limits) }
    }
  }
}

/** Types read without a parser: decoding them is linear in the (size-capped) file. */
const IN_THREAD: ReadonlySet<FileType> = new Set(['txt', 'md'])

const finish = (fileName: string, fileType: FileType, extracted: Extracted, maxTextChars: number): ExtractedDocument => {
  const text = extracted.text.replace(/\r\n?/g, '\n').trim()
  if (text.length === 0) throw new EmptyFileError(`The file ${describeFile(fileName)} contains no text.`)
  if (text.length > maxTextChars) throw textTooLong(fileName, maxTextChars)
  const title = extracted.title?.replace(/\s+/g, ' ').trim() || fileName
  return { title, text, fileType }
}

/**
 * The extraction itself, in the calling thread, with the structural caps but
 * no time or memory budget: what an extraction worker runs. Use `extractText`.
 */
export const extractInThread = async (fileName: string, bytes: Uint8Array, limits: ResolvedLimits): Promise<ExtractedDocument> => {
  const fileType = detectFileType(fileName, bytes)
  try {
    return finish(fileName, fileType, await extractByType(fileType, fileName, bytes, limits), limits.maxTextChars)
  } catch (error) {
    // A recursive parser (html-to-text, mammoth) past the stack: a structure no cap above caught.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new UnreadableFileError(`Cannot read ${describeFile(fileName)}: it is nested too deeply to parse.`, error)
    }
    throw error
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
  const type = fileTypeFromName(fileName)
  if (bytes.length > resolved.maxFileBytes) {
    throw new TooLargeError(`The file ${describeFile(fileName)} is ${bytes.length} bytes; the limit is ${resolved.maxFileBytes}.`)
  }
  if (IN_THREAD.has(type)) return extractInThread(fileName, bytes, resolved)
  detectFileType(fileName, bytes)
  return extractInWorker(fileName, bytes, resolved)
}
