/**
 * PDF text via pdf.js (the legacy build runs in Node). Hardened for untrusted
 * files: no eval (CVE-2024-4367 class), no font loading, no system fonts, no
 * network; the "worker" is pdf.js's in-process fake worker.
 */
import { getDocument } from './pdfjs.js'
import { TooLargeError, UnreadableFileError } from '../errors.js'
import { describeFile } from './file-type.js'
import { DEFAULT_MAX_PDF_CONTENT_BYTES, MAX_PDF_PAGES } from './limits.js'
import { assertPdfContentBudget } from './pdf-guard.js'

export interface PdfText {
  title: string | undefined
  text: string
}

interface TextItemLike {
  str?: unknown
  hasEOL?: unknown
}

export const extractPdfText = async (fileName: string, bytes: Uint8Array, maxTextChars: number, maxPages = MAX_PDF_PAGES, maxContentBytes = DEFAULT_MAX_PDF_CONTENT_BYTES): Promise<PdfText> => {
  // Before pdf.js: what its pages would make it lex, counted once per page (pdf-guard.ts).
  assertPdfContentBudget(describeFile(fileName), bytes, maxContentBytes)
  // pdf.js may detach the buffer it is given: hand it a copy.
  const task = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    isOffscreenCanvasSupported: false,
    stopAtErrors: false,
    verbosity: 0,
  })
  try {
    const pdf = await task.promise.catch((error: unknown) => {
      const name = (error as Error | undefined)?.name
      const why = name === 'PasswordException' ? 'it is password-protected' : 'it is not a readable PDF'
      throw new UnreadableFileError(`Cannot read ${describeFile(fileName)}: ${why}.`, error)
    })
    if (pdf.numPages > maxPages) throw new TooLargeError(`${describeFile(fileName)} has ${pdf.numPages} pages; the limit is ${maxPages}.`)
    const metadata = await pdf.getMetadata().catch(() => undefined)
    const rawTitle = (metadata?.info as { Title?: unknown } | undefined)?.Title
    const pages: string[] = []
    let length = 0
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number)
      const content = await page.getTextContent()
      const text = (content.items as TextItemLike[])
        .map((item) => (typeof item.str === 'string' ? item.str : '') + (item.hasEOL === true ? '\n' : ''))
        .join('')
      page.cleanup()
      length += text.length
      if (length > maxTextChars) throw new TooLargeError(`${describeFile(fileName)} has more than ${maxTextChars} characters of text.`)
      pages.push(text)
    }
    return { title: typeof rawTitle === 'string' ? rawTitle : undefined, text: pages.join('\n\n') }
  } catch (error) {
    if (error instanceof TooLargeError || error instanceof UnreadableFileError) throw error
    throw new UnreadableFileError(`Cannot read ${describeFile(fileName)}: the PDF is damaged (${(error as Error).message}).`, error)
  } finally {
    await task.destroy()
  }
}
