/**
 * `bin/bento.js` sizes libuv's thread pool before anything uses it (docs/ARCHITECTURE.md,
 * "The thread pool"), and keeps a size the caller set. Seen from inside the process: a
 * preload reports, at exit, the variable and the number of threads the process has (a
 * pool sized after its first use would keep its default four).
 */
import { execFile } from 'node:child_process'
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, assertBuilt, baseEnv, makeTempDir, removeDir } from './support/bento.js'

let tmp: string

const PRELOAD = `process.on('exit', () => {
  const threads = require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/^Threads:\\s+(\\d+)/m)
  process.stderr.write('POOL ' + JSON.stringify({ size: process.env.UV_THREADPOOL_SIZE, threads: threads ? Number(threads[1]) : null }) + '\\n')
})
`

/** The pool size and thread count a `bento du` (which reads the data dir through the pool) ran with. */
const poolOf = async (env: Record<string, string>): Promise<{ size: string | undefined; threads: number | null }> => {
  const stderr = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--require', path.join(tmp, 'preload.cjs'), BIN, 'du', '--json', '--data-dir', path.join(tmp, 'data')], { env: baseEnv(env), timeout: 60_000 }, (error, _out, err) =>
      error ? reject(new Error(`bento du failed: ${err}`)) : resolve(err))
  })
  const line = stderr.split('\n').find((l) => l.startsWith('POOL '))
  if (!line) throw new Error(`no pool report in: ${stderr}`)
  return JSON.parse(line.slice(5))
}

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir('bento-pool-')
  await fsp.writeFile(path.join(tmp, 'preload.cjs'), PRELOAD)
  await fsp.mkdir(path.join(tmp, 'data', 'vectors', 'isolated', 'user-1'), { recursive: true })
}, 60_000)
afterAll(() => removeDir(tmp))

describe('the CLI thread pool', () => {
  it('is widened to 32 when the caller set no size, before its first use', async () => {
    const pool = await poolOf({})
    expect(pool.size).toBe('32')
    if (process.platform === 'linux') expect(pool.threads).toBeGreaterThanOrEqual(32)
  })

  it('keeps the size the caller set', async () => {
    const pool = await poolOf({ UV_THREADPOOL_SIZE: '2' })
    expect(pool.size).toBe('2')
    if (process.platform === 'linux') expect(pool.threads).toBeLessThan(32)
  })
})
