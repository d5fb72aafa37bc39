import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration, tryParseDuration } from '../../src/core/duration.js'

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    ['0s', 0],
    [' 24h ', 86_400_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text, '--older-than')).toBe(ms)
  })

  it.each(['', '24', '-1h', '1.5h', 'h', '24hours', '30m1h', '1h1h', '1 h', '24H', '1e3s', '99999999999999999999d'])(
    'refuses %j with an invalid_options error naming the flag',
    (text) => {
      expect(tryParseDuration(text)).toBeUndefined()
      expect(() => parseDuration(text, '--older-than')).toThrow(expect.objectContaining({ code: 'invalid_options', message: expect.stringContaining('--older-than') }))
    },
  )

  it('formats back to the compact form', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m')
    expect(formatDuration(90_061_000)).toBe('1d1h1m1s')
    expect(formatDuration(0)).toBe('0s')
    expect(tryParseDuration(formatDuration(1_209_600_000 + 5000))).toBe(1_209_605_000)
  })
})
