import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SESSION_TTL_MS } from '../../src/core/sessions.js'
import * as isolation from '../../src/middleware/isolation.js'
import * as ops from '../../src/ops/index.js'

const SRC = path.resolve('src')

describe('session TTL default', () => {
  it('is 24 h, defined once in core and the same binding wherever it is exported', () => {
    expect(DEFAULT_SESSION_TTL_MS).toBe(24 * 3600_000)
    expect(isolation.DEFAULT_SESSION_TTL_MS).toBe(DEFAULT_SESSION_TTL_MS)
    expect(ops.DEFAULT_SESSION_TTL_MS).toBe(DEFAULT_SESSION_TTL_MS)
  })

  // Two definitions drift: inspect's expiresAt and the middleware's expiry would disagree.
  it('has no second definition anywhere in src/', async () => {
    const files = (await readdir(SRC, { recursive: true })).filter((name) => name.endsWith('.ts'))
    const defining: string[] = []
    for (const file of files) {
      if (/\bconst\s+DEFAULT_SESSION_TTL_MS\s*=/.test(await readFile(path.join(SRC, file), 'utf8'))) defining.push(file.split(path.sep).join('/'))
    }
    expect(defining).toEqual(['core/sessions.ts'])
  })
})
