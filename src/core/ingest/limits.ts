/**
 * The one definition of each ingest budget and its default. Threats: an upload
 * that expands far past its size (a zip bomb, XML or JSON nesting, a PDF whose
 * pages share one huge content stream) taking the process's memory or time.
 */
import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import { MAX_EXTRACT_MEMORY_MB, MIN_EXTRACT_MEMORY_MB } from '../env.js'
import type { IngestLimits } from './types.js'

import { DEFAULT_EXTRACT_MEMORY_MB, DEFAULT_EXTRACT_TIMEOUT_MS, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS } from '../defaults.js'

export { DEFAULT_EXTRACT_MEMORY_MB, DEFAULT_EXTRACT_TIMEOUT_MS, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS }
/** A DOCX may inflate to this many times the file-size limit, and never past MAX_DOCX_INFLATED_BYTES. */
export const DOCX_INFLATE_RATIO = 8
export const MAX_DOCX_INFLATED_BYTES = 100 * 1024 * 1024
/** pdf.js builds per-page state; a page-tree that claims more pages than this is refused before any is read. */
export const MAX_PDF_PAGES = 2000
/**
 * Page content pdf.js may lex, pages × the decoded content streams each draws. Text pages
 * decode to tens of KB each, so 2,000 real pages stay well within it.
 */
export const DEFAULT_MAX_PDF_CONTENT_BYTES = 128 * 1024 * 1024

export const docxInflateLimit = (maxFileBytes: number): number => Math.min(DOCX_INFLATE_RATIO * maxFileBytes, MAX_DOCX_INFLATED_BYTES)

const positive = (fallback: number) => z.number().int().min(1).default(fallback)

const limitsSchema = z.object({
  maxFileBytes: positive(DEFAULT_MAX_FILE_BYTES),
  maxTextChars: positive(DEFAULT_MAX_TEXT_CHARS),
  extractTimeoutMs: positive(DEFAULT_EXTRACT_TIMEOUT_MS),
  extractMemoryMb: z.number().int().min(MIN_EXTRACT_MEMORY_MB).max(MAX_EXTRACT_MEMORY_MB).default(DEFAULT_EXTRACT_MEMORY_MB),
  maxJsonDepth: positive(100),
  maxJsonNodes: positive(1_000_000),
  maxHtmlDepth: positive(512),
  maxZipEntries: positive(10_000),
  maxXmlElements: positive(1_000_000),
  maxXmlDepth: positive(256),
  maxPdfPages: positive(MAX_PDF_PAGES),
  maxPdfContentBytes: positive(DEFAULT_MAX_PDF_CONTENT_BYTES),
})

export type ResolvedLimits = Required<IngestLimits>

export const resolveLimits = (limits: IngestLimits = {}): ResolvedLimits => {
  const parsed = limitsSchema.safeParse(limits)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidOptionsError(`Invalid ingest limits: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() + ' (positive integers; extractMemoryMb at least 16).')
  }
  return parsed.data
}
