/**
 * Search filters: which chunks a search may return, applied inside the index
 * search (hnswlib's filter callback) so `limit` results come back whenever that
 * many chunks match, however rare they are among the scope's chunks.
 *
 * `{ source, fileType, createdAt: { gte, lt, … }, metadata: { key: value | { in: [...] } } }`:
 * equality or `in` on the file name, the type and your metadata keys (a key
 * holding an array matches when the array contains the value), and a range on
 * `createdAt`. Every condition must hold. Tests: test/core/search-filter.test.ts.
 */
import { z } from 'zod'
import { METADATA_KEY } from './metadata-keys.js'

const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()])
const oneOf = <T extends z.ZodType>(value: T) => z.union([value, z.strictObject({ in: z.array(value).min(1).max(100) })])
const isoDate = z.iso.datetime({ offset: true }).meta({ description: 'An ISO 8601 date-time, e.g. 2025-01-01T00:00:00Z.' })

export const searchFilterSchema = z.strictObject({
  source: oneOf(z.string().min(1).max(255)).optional().meta({ description: 'The uploaded file name, or { in: [...] }.' }),
  fileType: oneOf(z.enum(['txt', 'md', 'html', 'json', 'pdf', 'docx'])).optional(),
  createdAt: z.strictObject({ gt: isoDate.optional(), gte: isoDate.optional(), lt: isoDate.optional(), lte: isoDate.optional() })
    .refine((range) => Object.keys(range).length > 0, 'give at least one of gt, gte, lt, lte').optional(),
  metadata: z.record(z.string().regex(METADATA_KEY, 'not a metadata key'), oneOf(scalar))
    .refine((value) => Object.keys(value).length <= 16, 'at most 16 metadata conditions').optional()
    .meta({ description: 'Your metadata keys: a value (equality) or { in: [...] }.' }),
}).meta({ id: 'SearchFilter', description: 'Every condition must hold. Applied inside the search: limit results come back when that many chunks match.' })

export type SearchFilter = z.infer<typeof searchFilterSchema>

export { compileSearchFilter } from './search-filter-match.js'
