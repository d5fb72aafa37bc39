import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import type { IngestLimits } from './types.js'

import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS } from '../defaults.js'

export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS }
/** A DOCX may inflate to this many times the file-size limit, and never past MAX_DOCX_INFLATED_BYTES. */
export const DOCX_INFLATE_RATIO = 8
export const MAX_DOCX_INFLATED_BYTES = 100 * 1024 * 1024
/** pdf.js builds per-page state; a page-tree that claims more pages than this is refused before any is read. */
export const MAX_PDF_PAGES = 2000

export const docxInflateLimit = (maxFileBytes: number): number => Math.min(DOCX_INFLATE_RATIO * maxFileBytes, MAX_DOCX_INFLATED_BYTES)

const limitsSchema = z.object({
  maxFileBytes: z.number().int().min(1).default(DEFAULT_MAX_FILE_BYTES),
  maxTextChars: z.number().int().min(1).default(DEFAULT_MAX_TEXT_CHARS),
})

export const resolveLimits = (limits: IngestLimits = {}): Required<IngestLimits> => {
  const parsed = limitsSchema.safeParse(limits)
  if (!parsed.success) throw new InvalidOptionsError('Invalid ingest limits: maxFileBytes and maxTextChars must be positive integers.')
  return parsed.data
}
