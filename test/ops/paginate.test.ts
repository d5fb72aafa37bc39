import { describe, expect, it } from 'vitest'
import { paginate } from '../../src/ops/paginate.js'

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `id-${String(i).padStart(3, '0')}`, at: `2025-01-0${1 + (i % 3)}` }))
const key = (row: { at: string }) => row.at
const id = (row: { id: string }) => row.id

const walk = <T extends { id: string; at: string }>(items: T[], limit: number, order: 'asc' | 'desc' = 'asc') => {
  const seen: string[] = []
  let cursor: string | undefined
  for (;;) {
    const page = paginate(items, { limit, ...(cursor ? { cursor } : {}) }, key, id, order)
    seen.push(...page.rows.map((row) => row.id))
    if (page.nextCursor === null) return seen
    cursor = page.nextCursor
  }
}

describe('paginate', () => {
  it('walks every row exactly once, in a stable order, for any page size and either direction', () => {
    const items = rows(23)
    const all = paginate(items, { limit: 100 }, key, id).rows.map((row) => row.id)
    for (const limit of [1, 2, 5, 22, 23, 24]) {
      expect(walk(items, limit)).toEqual(all)
      expect(walk(items, limit, 'desc')).toEqual([...all].reverse())
    }
  })

  it('neither skips nor repeats a row when rows are added or removed between pages', () => {
    const items = rows(10)
    const first = paginate(items, { limit: 4 }, key, id)
    const changed = [...items.filter((row) => row.id !== first.rows[0]!.id), { id: 'id-999', at: '2025-01-09' }]
    const rest = walk(changed.filter(() => true), 100)
    const after = paginate(changed, { limit: 100, cursor: first.nextCursor! }, key, id).rows.map((row) => row.id)
    expect(after).toEqual(rest.filter((rowId) => !first.rows.some((row) => row.id === rowId)))
    expect(after).toContain('id-999')
  })

  it('refuses a cursor it did not make', () => {
    expect(() => paginate(rows(3), { limit: 1, cursor: 'not-a-cursor' }, key, id)).toThrow(/Invalid cursor/)
    expect(() => paginate(rows(3), { limit: 1, cursor: Buffer.from('{"a":1}').toString('base64url') }, key, id)).toThrow(/Invalid cursor/)
  })
})
