/**
 * Two definitions of a default drift (inspect's expiresAt and the middleware's
 * expiry disagreed; the CLI and the server had their own 64 and 10 MiB): every
 * default lives in src/core/defaults.ts and is the same binding wherever it is
 * re-exported.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as defaults from '../../src/core/defaults.js'
import { DEFAULT_SESSION_TTL_MS } from '../../src/core/sessions.js'
import * as isolation from '../../src/middleware/isolation.js'
import * as ops from '../../src/ops/index.js'
import * as ingest from '../../src/core/ingest/index.js'

const SRC = path.resolve('src')

describe('defaults', () => {
  it('are the same binding wherever they are exported', () => {
    expect(defaults.DEFAULT_SESSION_TTL_MS).toBe(24 * 3600_000)
    for (const value of [DEFAULT_SESSION_TTL_MS, isolation.DEFAULT_SESSION_TTL_MS, ops.DEFAULT_SESSION_TTL_MS]) expect(value).toBe(defaults.DEFAULT_SESSION_TTL_MS)
    expect(ingest.DEFAULT_MAX_FILE_BYTES).toBe(defaults.DEFAULT_MAX_FILE_BYTES)
    expect(ingest.DEFAULT_MAX_TEXT_CHARS).toBe(defaults.DEFAULT_MAX_TEXT_CHARS)
  })

  it('have no second definition anywhere in src/', async () => {
    const names = Object.keys(defaults)
    const files = (await readdir(SRC, { recursive: true })).filter((name) => name.endsWith('.ts'))
    const defining: string[] = []
    for (const file of files) {
      const text = await readFile(path.join(SRC, file), 'utf8')
      for (const name of names) {
        if (new RegExp(`\\bconst\\s+${name}\\s*=`).test(text)) defining.push(`${file.split(path.sep).join('/')}: ${name}`)
      }
    }
    expect(defining.sort()).toEqual(names.map((name) => `core/defaults.ts: ${name}`).sort())
  })
})
