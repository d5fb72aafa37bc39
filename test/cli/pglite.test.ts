/**
 * `--backend pglite:<dir>` through the real binary, each command its own process
 * opening the embedded database: add, search, ls and du see what add wrote; a
 * command run while another process has the dir open is refused with a one-line
 * message (exit 1) and changes nothing.
 */
import path from 'node:path'
import { writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPgliteServer } from '../../src/core/backend/pg/pglite.js'
import { copyPgliteTemplate } from '../helpers/pg.js'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runBento } from './support/bento.js'

let tmp: string
let dbDir: string
beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir('bento-pglite-cli-')
  dbDir = await copyPgliteTemplate()
}, 120_000)
afterAll(async () => {
  await removeDir(tmp)
  await removeDir(dbDir)
})

describe('bento on pglite:<dir>', () => {
  it('add, then search in a new process sees it; a second process on the open dir is refused', async () => {
    const backend = ['--backend', `pglite:${dbDir}`]
    const file = path.join(tmp, 'refunds.txt')
    await writeFile(file, 'Refunds are paid within 14 days. Error ERR_4411 means the provider timed out.')
    const add = await runBento(['add', 'tenant_a:user_1', file, '--json', ...backend])
    expect(add.code, add.stderr).toBe(0)
    const search = await runBento(['search', 'tenant_a:user_1', 'ERR_4411', '--json', ...backend])
    expect(search.code, search.stderr).toBe(0)
    expect(search.stdout).toContain('provider timed out')
    // ls, du and inspect on a database (and BENTO_DATABASE_URL): test/cli/pg-read-commands.test.ts; each process here boots PGlite.

    const holder = await startPgliteServer({ dataDir: dbDir })
    try {
      const refused = await runBento(['add', 'tenant_a:user_2', file, '--json', ...backend])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(`is open in another process (pid ${process.pid})`)
      assertNoStack(refused.stderr)
      expect((await holder.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bento.scopes')).rows).toEqual([{ n: 1 }])
    } finally {
      await holder.close()
    }
  }, 300_000)
})
