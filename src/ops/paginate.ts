/**
 * Cursor pagination with a stable order: rows are sorted by a key and their id,
 * and a cursor names the last row of a page, so the next page starts right after
 * it even when rows were added or removed meanwhile (no row is skipped or shown
 * twice). The cursor is opaque to clients: base64url of `[key, id]`.
 * Tests: test/ops/paginate.test.ts.
 */
import { InvalidInputError } from '../core/errors.js'

export interface PageRequest {
  /** Rows per page. */
  limit: number
  /** `nextCursor` of the previous page; absent for the first. */
  cursor?: string
}

export interface Page<T> {
  rows: T[]
  /** Null on the last page. */
  nextCursor: string | null
}

type SortKey = string | number

const encode = (key: SortKey, id: string): string => Buffer.from(JSON.stringify([key, id]), 'utf8').toString('base64url')

const decode = (cursor: string): [SortKey, string] => {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'string') {
      return [value[0], value[1]]
    }
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidInputError('Invalid cursor: pass the nextCursor of a previous page unchanged.')
}

const compare = (a: SortKey, b: SortKey): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * One page of `items` in the order of `(keyOf, idOf)`, ascending or descending.
 *
 * @example
 * const first = paginate(docs, { limit: 2 }, (d) => d.createdAt, (d) => d.id)
 * const second = paginate(docs, { limit: 2, cursor: first.nextCursor! }, (d) => d.createdAt, (d) => d.id)
 */
export const paginate = <T>(items: readonly T[], request: PageRequest, keyOf: (item: T) => SortKey, idOf: (item: T) => string, order: 'asc' | 'desc' = 'asc'): Page<T> => {
  const sign = order === 'asc' ? 1 : -1
  const byOrder = (a: T, b: T) => sign * (compare(keyOf(a), keyOf(b)) || compare(idOf(a), idOf(b)))
  let sorted = [...items].sort(byOrder)
  if (request.cursor !== undefined) {
    const [key, id] = decode(request.cursor)
    sorted = sorted.filter((item) => sign * (compare(keyOf(item), key) || compare(idOf(item), id)) > 0)
  }
  const rows = sorted.slice(0, request.limit)
  const last = rows.at(-1)
  return { rows, nextCursor: sorted.length > request.limit && last !== undefined ? encode(keyOf(last), idOf(last)) : null }
}
