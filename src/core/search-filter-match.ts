/**
 * A validated search filter (search-filter.ts) as a predicate over stored
 * chunks. Apart from the schema so that searching does not load zod: the CLI
 * validates a `--filter` only when one is given.
 */
import type { SearchFilter } from './search-filter.js'
import type { StoredChunk } from './store/types.js'

type Scalar = string | number | boolean | null

const matchesValue = (actual: unknown, wanted: Scalar | { in: Scalar[] }): boolean => {
  const options = wanted !== null && typeof wanted === 'object' ? wanted.in : [wanted]
  const values = Array.isArray(actual) ? actual : [actual]
  return values.some((value) => options.some((option) => option === value))
}

/** The filter as a predicate over stored chunks; undefined when it has no condition. */
export const compileSearchFilter = (filter: SearchFilter | undefined): ((chunk: StoredChunk) => boolean) | undefined => {
  if (filter === undefined) return undefined
  const tests: Array<(metadata: Record<string, unknown>) => boolean> = []
  if (filter.source !== undefined) tests.push((m) => matchesValue(m.source, filter.source!))
  if (filter.fileType !== undefined) tests.push((m) => matchesValue(m.fileType, filter.fileType!))
  if (filter.createdAt !== undefined) {
    const { gt, gte, lt, lte } = filter.createdAt
    const ms = (value: string | undefined) => (value === undefined ? undefined : Date.parse(value))
    const [after, from, before, to] = [ms(gt), ms(gte), ms(lt), ms(lte)]
    tests.push((m) => {
      const at = typeof m.createdAt === 'string' ? Date.parse(m.createdAt) : NaN
      if (Number.isNaN(at)) return false
      return (after === undefined || at > after) && (from === undefined || at >= from) && (before === undefined || at < before) && (to === undefined || at <= to)
    })
  }
  for (const [key, wanted] of Object.entries(filter.metadata ?? {})) tests.push((m) => Object.hasOwn(m, key) && matchesValue(m[key], wanted))
  if (tests.length === 0) return undefined
  return (chunk) => tests.every((test) => test(chunk.metadata))
}
