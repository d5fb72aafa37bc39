import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import type { IngestLimits } from './types.js'

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
export const DEFAULT_MAX_TEXT_CHARS = 2_000_000

const limitsSchema = z.object({
  maxFileBytes: z.number().int().min(1).default(DEFAULT_MAX_FILE_BYTES),
  maxTextChars: z.number().int().min(1).default(DEFAULT_MAX_TEXT_CHARS),
})

export const resolveLimits = (limits: IngestLimits = {}): Required<IngestLimits> => {
  const parsed = limitsSchema.safeParse(limits)
  if (!parsed.success) throw new InvalidOptionsError('Invalid ingest limits: maxFileBytes and maxTextChars must be positive integers.')
  return parsed.data
}
