/**
 * A bare session id (as `ls`, `du` and the server's x-session-id show it) names
 * the session in the commands that take an existing scope, through the real
 * binary: inspect, search, migrate's source and cleanup --scope.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runBento } from './support/bento.js'
import { buildDataDir, DAY_MS, text } from './support/fixture.js'

const SESSION = '5e55105e55105e55105e55105e55105e'
const SESSION_UUID = '5E55105E-5510-5E55-105E-55105E55105E'
// A custom scope whose key is itself a valid session id, beside the session of the same id.
const BOTH = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'
const NOWHERE = 'dddddddddddddddddddddddddddddddd'
let tmp: string
let dataDir: string

const json = <T>(stdout: string): T => JSON.parse(stdout) as T

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
  dataDir = path.join(tmp, 'data')
  const old = new Date(Date.now() - 3 * DAY_MS)
  await buildDataDir(dataDir, [
    { key: `session-${SESSION}`, files: { 'weather.txt': text('weather', 4) }, lastActiveAt: old },
    { key: `session-${BOTH}`, files: { 'session.txt': text('tides', 3) } },
    { key: BOTH, files: { 'custom.txt': text('invoices', 3) } },
  ])
}, 60_000)
afterAll(() => removeDir(tmp))

describe('a bare session id names the session', () => {
  it('in inspect (hex or UUID form) and search', async () => {
    const [hex, uuid, search] = await Promise.all([
      runBento(['inspect', SESSION, '--json', '--data-dir', dataDir]),
      runBento(['inspect', SESSION_UUID, '--json', '--data-dir', dataDir]),
      runBento(['search', SESSION, 'weather', '--json', '--data-dir', dataDir]),
    ])
    for (const run of [hex, uuid]) {
      expect([run.code, run.stderr]).toEqual([0, ''])
      expect(json(run.stdout)).toMatchObject({ key: SESSION, kind: 'session', dir: `session-${SESSION}`, exists: true })
    }
    expect(search.code).toBe(0)
    expect(json<{ results: Array<{ title: string }> }>(search.stdout).results[0]?.title).toBe('weather.txt')
  })

  it("in migrate's source and in cleanup --scope", async () => {
    const [migrate, cleanup] = await Promise.all([
      runBento(['migrate', SESSION, '--to', 'user-1', '--dry-run', '--json', '--data-dir', dataDir]),
      runBento(['cleanup', '--older-than', '1d', '--scope', SESSION, '--dry-run', '--json', '--data-dir', dataDir]),
    ])
    expect(migrate.code).toBe(0)
    expect(json(migrate.stdout)).toMatchObject({ from: SESSION, to: 'user-1', mode: 'rename', documents: 1 })
    expect(cleanup.code).toBe(0)
    expect(json(cleanup.stdout)).toMatchObject({ removed: [{ key: SESSION, kind: 'session', dir: `session-${SESSION}` }], skipped: [] })
  })

  it('not when a custom scope of that name exists, nor when neither does', async () => {
    const [custom, missing, cleanup] = await Promise.all([
      runBento(['inspect', BOTH, '--json', '--data-dir', dataDir]),
      runBento(['inspect', NOWHERE, '--data-dir', dataDir]),
      runBento(['cleanup', '--older-than', '0s', '--scope', NOWHERE, '--dry-run', '--json', '--data-dir', dataDir]),
    ])
    expect(custom.code).toBe(0)
    expect(json(custom.stdout)).toMatchObject({ key: BOTH, kind: 'custom', dir: BOTH, documents: [{ title: 'custom.txt' }] })
    expect(missing.code).toBe(3)
    assertNoStack(missing.stderr)
    expect(missing.stderr).toBe(`bento: scope ${NOWHERE} does not exist.\n`)
    expect(json(cleanup.stdout)).toMatchObject({ removed: [], skipped: [{ key: NOWHERE, reason: 'not found' }] })
  })
})
