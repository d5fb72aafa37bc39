/**
 * Strict request validation: an unknown field (body, query or form) is a 400
 * that names it and, when it looks like a known one, says which: a client
 * sending `top_k` learns the field is `limit`, instead of silently getting 5
 * results. Tests: test/server/strict-input.test.ts.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { InvalidInputError } from '../core/errors.js'

/** Names other RAG and vector-store APIs use for Bento's fields. */
const ALIASES: Record<string, string> = {
  top_k: 'limit',
  topk: 'limit',
  k: 'limit',
  n: 'limit',
  max_results: 'limit',
  page_size: 'limit',
  pagesize: 'limit',
  q: 'query',
  text: 'query',
  search: 'query',
  after: 'cursor',
  page_token: 'cursor',
  starting_after: 'cursor',
  next_cursor: 'cursor',
  filters: 'filter',
  where: 'filter',
  conversation_id: 'conversationId',
  session_id: 'conversationId',
  rag_enabled: 'ragEnabled',
  on_conflict: 'onConflict',
  min_score: 'minScore',
}

const normalized = (name: string) => name.toLowerCase().replace(/[_-]/g, '')

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** The known field an unknown name most likely meant, if any. */
export const suggestField = (name: string, known: readonly string[]): string | undefined => {
  const alias = ALIASES[name] ?? ALIASES[name.toLowerCase()]
  if (alias !== undefined && known.includes(alias)) return alias
  const exact = known.find((field) => normalized(field) === normalized(name))
  if (exact !== undefined) return exact
  let best: { field: string; cost: number } | undefined
  for (const field of known) {
    const cost = distance(normalized(name), normalized(field))
    if (cost <= Math.max(1, Math.floor(field.length / 3)) && (best === undefined || cost < best.cost)) best = { field, cost }
  }
  return best?.field
}

/** The object schema at `path` inside `schema`, through arrays, optionals and defaults (best effort). */
const objectAt = (schema: z.ZodType, path: readonly PropertyKey[]): z.ZodObject | undefined => {
  let current: z.ZodType | undefined = schema
  for (const step of [...path, undefined]) {
    for (let unwrapped = false; !unwrapped && current !== undefined;) {
      if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType
      else if (current instanceof z.ZodPipe) current = current.in as z.ZodType
      else unwrapped = true
    }
    if (step === undefined) return current instanceof z.ZodObject ? current : undefined
    if (current instanceof z.ZodArray) current = current.element as z.ZodType
    else if (current instanceof z.ZodObject) current = current.shape[String(step)] as z.ZodType | undefined
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType
    else return undefined
  }
  return undefined
}

const describeIssue = (issue: z.core.$ZodIssue, schema: z.ZodType, what: string): string => {
  const where = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(objectAt(schema, issue.path)?.shape ?? {})
    return issue.keys.map((key) => {
      const name = where === '' ? key : `${where}.${key}`
      const hint = suggestField(key, known)
      return `unknown ${what} "${name}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`
    }).join('; ')
  }
  return `${where === '' ? 'body' : where}: ${issue.message}`
}

/** One message for every problem of a failed parse. */
export const describeIssues = (error: z.ZodError, schema: z.ZodType, what = 'field'): string =>
  error.issues.map((issue) => describeIssue(issue, schema, what)).join('; ')

/** Parses `value` with `schema`, or throws `InvalidInputError` naming each bad or unknown field. */
export const parseInput = <T extends z.ZodType>(schema: T, value: unknown, label: string, what = 'field'): z.infer<T> => {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new InvalidInputError(`Invalid ${label}: ${describeIssues(parsed.error, schema, what)}.`)
  return parsed.data
}

/** The query string, validated (repeated parameters are an error: which one would win is a guess). */
export const readQuery = <T extends z.ZodType>(c: Context, schema: T): z.infer<T> => {
  const all = c.req.queries()
  const repeated = Object.entries(all).filter(([, values]) => values.length > 1).map(([name]) => name)
  if (repeated.length > 0) throw new InvalidInputError(`Invalid query: parameter "${repeated[0]}" is given more than once.`)
  return parseInput(schema, c.req.query(), 'query', 'query parameter')
}
