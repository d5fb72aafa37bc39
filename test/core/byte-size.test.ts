import { describe, expect, it } from 'vitest'
import { parseByteSize } from '../../src/core/byte-size.js'

describe('byte sizes for memory and size settings', () => {
  it('reads binary units and bare bytes', () => {
    expect(parseByteSize('512M', 'x')).toBe(512 * 1024 ** 2)
    expect(parseByteSize('2g', 'x')).toBe(2 * 1024 ** 3)
    expect(parseByteSize('768MiB', 'x')).toBe(768 * 1024 ** 2)
    expect(parseByteSize(' 64kb ', 'x')).toBe(64 * 1024)
    expect(parseByteSize('268435456', 'x')).toBe(268435456)
  })

  it('refuses what is not a size, naming where it came from (a typo must not run with the default)', () => {
    for (const bad of ['', '0', '-1G', '12X', '1e9', 'lots', '5 M B']) {
      expect(() => parseByteSize(bad, '--max-store-memory')).toThrow(/Invalid --max-store-memory/)
    }
  })
})
