import { describe, expect, it } from 'vitest'
import { formatPercent, renderBar } from '../../../src/cli/render/bar.js'
import { formatAge, formatBytes, plural } from '../../../src/cli/render/format.js'
import { renderTable } from '../../../src/cli/render/table.js'

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10 KiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
    [-1, '-'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text))
})

describe('formatAge', () => {
  const now = Date.parse('2025-01-10T12:00:00Z')
  it.each([
    ['2025-01-10T12:00:00Z', 'just now'],
    ['2025-01-10T11:59:30Z', '30s ago'],
    ['2025-01-10T11:15:00Z', '45m ago'],
    ['2025-01-10T09:00:00Z', '3h ago'],
    ['2025-01-03T12:00:00Z', '7d ago'],
    ['2024-07-10T12:00:00Z', '6mo ago'],
    ['2021-01-10T12:00:00Z', '4y ago'],
    ['2025-01-11T08:00:00Z', 'in 20h'],
  ])('%s → %s', (iso, text) => expect(formatAge(iso, now)).toBe(text))
  it('says never for a scope without activity', () => expect(formatAge(null, now)).toBe('never'))
})

describe('renderTable', () => {
  it('aligns columns on plain text even when cells are painted', () => {
    const red = (text: string) => `\x1b[31m${text}\x1b[39m`
    const lines = renderTable([{ header: 'NAME' }, { header: 'SIZE', align: 'right' }], [[{ text: 'a', paint: red }, '1 B'], ['longer-name', '10 KiB']])
    const plain = lines.map((line) => line.replace(/\x1b\[\d+m/g, ''))
    expect(plain).toEqual(['NAME           SIZE', 'a               1 B', 'longer-name  10 KiB'])
    expect(lines[1]).toContain('\x1b[31ma          \x1b[39m')
  })
})

describe('renderBar', () => {
  it('fills proportionally with eighth blocks and keeps a sliver for tiny values', () => {
    expect(renderBar(1, 4)).toBe('████')
    expect(renderBar(0.5, 4)).toBe('██  ')
    expect(renderBar(0.0001, 4)).toBe('▏   ')
    expect(renderBar(0, 4)).toBe('    ')
    expect(renderBar(0.53125, 2)).toBe('█▏')
    expect(formatPercent(0.5)).toBe('50%')
    expect(formatPercent(0.012)).toBe('1.2%')
    expect(plural(1, 'scope')).toBe('1 scope')
    expect(plural(1200, 'scope')).toBe('1,200 scopes')
  })
})
