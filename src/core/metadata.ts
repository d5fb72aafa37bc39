/**
 * A caller's own metadata for a document (`{"team":"billing","year":2024}`),
 * stored with every chunk beside Bento's keys and matched by search filters.
 * Bounded, because it is copied into every chunk of the document and kept in
 * the store's docstore in memory: at most 8 KiB of JSON, 32 keys per object,
 * nested at most 3 levels, strings of at most 1,000 characters, arrays of at
 * most 100 items. Bento's own keys cannot be set or overridden.
 * Tests: test/core/metadata.test.ts.
 */
import { z } from 'zod'
import { InvalidInputError } from './errors.js'
import { METADATA_KEY, RESERVED_METADATA_KEYS } from './metadata-keys.js'

export { METADATA_KEY, RESERVED_METADATA_KEYS, userMetadata } from './metadata-keys.js'

export const MAX_METADATA_BYTES = 8 * 1024
export const MAX_METADATA_DEPTH = 3
export const MAX_METADATA_KEYS = 32
const MAX_STRING = 1000
const MAX_ARRAY = 100

export type MetadataValue = string | number | boolean | null | MetadataValue[] | { [key: string]: MetadataValue }
export type Metadata = Record<string, MetadataValue>

const KEY_RULE = 'keys are 1–64 characters: letters, digits, _ . -, starting with a letter or _'

/** Walks a value, adding an issue with its exact path for each problem (a union would only say "invalid input"). */
const checkValue = (value: unknown, path: PropertyKey[], depth: number, ctx: z.RefinementCtx): void => {
  const fail = (message: string) => ctx.addIssue({ code: 'custom', path, message })
  if (value === null || typeof value === 'boolean') return
  if (typeof value === 'string') return void (value.length > MAX_STRING && fail(`strings are at most ${MAX_STRING} characters`))
  if (typeof value === 'number') return void (!Number.isFinite(value) && fail('numbers must be finite'))
  if (depth >= MAX_METADATA_DEPTH) return fail(`nested at most ${MAX_METADATA_DEPTH} levels: only strings, numbers, booleans and null here`)
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY) return fail(`arrays hold at most ${MAX_ARRAY} items`)
    return value.forEach((item, index) => checkValue(item, [...path, index], depth + 1, ctx))
  }
  if (typeof value === 'object') return checkObject(value as Record<string, unknown>, path, depth + 1, ctx)
  fail('values are strings, numbers, booleans, null, arrays or objects')
}

const checkObject = (value: Record<string, unknown>, path: PropertyKey[], depth: number, ctx: z.RefinementCtx): void => {
  const keys = Object.keys(value)
  if (keys.length > MAX_METADATA_KEYS) ctx.addIssue({ code: 'custom', path, message: `at most ${MAX_METADATA_KEYS} keys` })
  for (const key of keys) {
    if (!METADATA_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [...path, key], message: KEY_RULE })
    else checkValue(value[key], [...path, key], depth, ctx)
  }
}

/** The metadata object a request carries (the JSON form field of an upload, `bento add --metadata`). */
export const metadataSchema = z.record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    checkObject(value, [], 1, ctx)
    const reserved = RESERVED_METADATA_KEYS.filter((key) => Object.hasOwn(value, key))
    if (reserved.length > 0) ctx.addIssue({ code: 'custom', path: [reserved[0]!], message: `these keys are Bento's own: ${RESERVED_METADATA_KEYS.join(', ')}` })
    if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_METADATA_BYTES) ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_METADATA_BYTES} bytes of JSON` })
  })
  .meta({
    id: 'Metadata',
    description: `Your own keys, stored with every chunk: at most ${MAX_METADATA_BYTES} bytes of JSON, ${MAX_METADATA_KEYS} keys per object, nested ${MAX_METADATA_DEPTH} levels deep, strings of at most ${MAX_STRING} characters, arrays of at most ${MAX_ARRAY} items; keys ${METADATA_KEY.source}; not ${RESERVED_METADATA_KEYS.join(', ')}.`,
  })

/**
 * Parses metadata given as JSON text; `InvalidInputError` names what is wrong.
 *
 * @example
 * parseMetadataJson('{"team":"billing"}') // { team: 'billing' }
 */
export const parseMetadataJson = (text: string, where = 'metadata'): Metadata => {
  if (Buffer.byteLength(text, 'utf8') > MAX_METADATA_BYTES) throw new InvalidInputError(`Invalid ${where}: at most ${MAX_METADATA_BYTES} bytes of JSON.`)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new InvalidInputError(`Invalid ${where}: not valid JSON.`)
  }
  const parsed = metadataSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    throw new InvalidInputError(`Invalid ${where}: ${problems.join('; ')}.`)
  }
  return parsed.data as Metadata
}
