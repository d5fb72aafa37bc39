/**
 * The one definition of each ingest budget and its default. Threats: an upload
 * that expands far past its size (a zip bomb, XML or JSON nesting, a PDF whose
 * pages share one huge content stream) taking the process's memory or time.
 */
import { z } from 'zod'
import { parseDuration } from '../duration.js'
import { InvalidOptionsError } from '../errors.js'
import type { IngestLimits } from './types.js'

import { DEFAULT_EXTRACT_MEMORY_MB, DEFAULT_EXTRACT_TIMEOUT_MS, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS } from '../defaults.js'

export { DEFAULT_EXTRACT_MEMORY_MB, DEFAULT_EXTRACT_TIMEOUT_MS, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TEXT_CHARS }
/** A DOCX may inflate to this many times the file-size limit, and never past MAX_DOCX_INFLATED_BYTES. */
export const DOCX_INFLATE_RATIO = 8
export const MAX_DOCX_INFLATED_BYTES = 100 * 1024 * 1024
/** pdf.js builds per-page state; a page-tree that claims more pages than this is refused before any is read. */
export const MAX_PDF_PAGES = 2000

export const docxInflateLimit = (maxFileBytes: number): number => Math.min(DOCX_INFLATE_RATIO * maxFileBytes, MAX_DOCX_INFLATED_BYTES)

const positive = (fallback: number) => z.number().int().min(1).default(fallback)

const limitsSchema = z.object({
  maxFileBytes: positive(DEFAULT_MAX_FILE_BYTES),
  maxTextChars: positive(DEFAULT_MAX_TEXT_CHARS),
  extractTimeoutMs: positive(DEFAULT_EXTRACT_TIMEOUT_MS),
  // Below ~16 MB V8 cannot even start a worker's heap.
  extractMemoryMb: z.number().int().min(16).max(65_536).default(DEFAULT_EXTRACT_MEMORY_MB),
  maxJsonDepth: positive(100),
  maxJsonNodes: positive(1_000_000),
  maxHtmlDepth: positive(512),
  maxZipEntries: positive(10_000),
  maxXmlElements: positive(1_000_000),
  maxXmlDepth: positive(256),
  maxPdfPages: positive(MAX_PDF_PAGES),
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

/**
 * The extraction budgets an operator sets in the environment, for `bento serve`
 * and `bento add` alike: `BENTO_EXTRACT_TIMEOUT` (a duration: `30s`, `2m`) and
 * `BENTO_EXTRACT_MEMORY_MB` (a whole number, at least 16).
 * `BENTO_EXTRACT_WORKERS` is read by the worker pool.
 */
export const ingestLimitsFromEnv = (env: Record<string, string | undefined>): IngestLimits => {
  const limits: IngestLimits = {}
  const timeout = env.BENTO_EXTRACT_TIMEOUT?.trim()
  if (timeout) limits.extractTimeoutMs = parseDuration(timeout, 'BENTO_EXTRACT_TIMEOUT')
  const memory = env.BENTO_EXTRACT_MEMORY_MB?.trim()
  if (memory) {
    if (!/^\d{1,5}$/.test(memory) || Number(memory) < 16) {
      throw new InvalidOptionsError(`Invalid BENTO_EXTRACT_MEMORY_MB ${JSON.stringify(memory)}: expected a whole number of MB from 16 to 65536.`)
    }
    limits.extractMemoryMb = Number(memory)
  }
  return limits
}
