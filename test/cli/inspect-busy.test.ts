/**
 * False alarm: `bento inspect <key>` while another process runs `bento add` on
 * that scope listed the add's in-flight uploads as orphans and exited 3
 * "unhealthy". A scope locked by another process is busy: exit 4, one line, no
 * findings — with and without --verify, in JSON too.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeTempDir, removeDir, runBento } from './support/bento.js'
import { buildDataDir, text } from './support/fixture.js'
import { holdScopeLock } from './support/lock.js'

let tmp: string
let dataDir: string

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
  dataDir = path.join(tmp, 'data')
  await buildDataDir(dataDir, [{ key: 'user-123', files: { 'refunds.md': text('refunds', 20) } }])
}, 60_000)
afterAll(() => removeDir(tmp))

describe('bento inspect of a scope another process is writing', () => {
  it('answers busy (exit 4, one line, nothing on stdout) instead of listing the in-flight upload as an orphan', async () => {
    const lock = await holdScopeLock(dataDir, 'user-123')
    // What an add in flight has written so far: its upload folder, not yet its chunks.
    const inFlight = path.join(dataDir, 'uploads/isolated/user-123/doc_inflight')
    await fsp.mkdir(inFlight, { recursive: true })
    try {
      for (const args of [['inspect', 'user-123'], ['inspect', 'user-123', '--verify'], ['inspect', 'user-123', '--verify', '--json']]) {
        const run = await runBento([...args, '--data-dir', dataDir])
        expect([run.code, run.stdout], args.join(' ')).toEqual([4, ''])
        expect(run.stderr).toBe('bento: Scope "user-123" is being changed by another process; inspect it again when that finishes.\n')
      }
    } finally {
      await fsp.rm(inFlight, { recursive: true })
      await lock.release()
    }
    const after = await runBento(['inspect', 'user-123', '--json', '--data-dir', dataDir])
    expect(after.code).toBe(0)
    expect(JSON.parse(after.stdout)).toMatchObject({ healthy: true, problems: [] })
  })
})
