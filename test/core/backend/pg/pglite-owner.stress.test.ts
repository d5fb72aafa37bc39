/**
 * One process at a time on a `pglite:<dir>`: a second open while the first lives
 * is refused (two PGlite engines on one dir overwrite each other's writes), a
 * closed or crashed owner's dir opens again. The refusal from another process is
 * tested through the real binary in test/cli/pglite.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { startPgliteServer } from '../../../../src/core/backend/pg/pglite.js'
import { copyPgliteTemplate } from '../../../helpers/pg.js'

describe('a PGlite data dir has one owner process', () => {
  it('refuses a second open while the first is open, opens again after close, and takes over a dead owner\'s record', async () => {
    const dir = await copyPgliteTemplate()
    try {
      const first = await startPgliteServer({ dataDir: dir })
      try {
        await expect(startPgliteServer({ dataDir: dir })).rejects.toMatchObject({ code: 'database_unavailable', message: expect.stringContaining('is open in this process already') })
      } finally {
        await first.close()
      }
      // A crash leaves the record of a process that is gone: the next open takes it over.
      const gone = spawnSync(process.execPath, ['-e', '']).pid
      await writeFile(path.join(dir, 'bento-owner.pid'), `${gone}\n`)
      const again = await startPgliteServer({ dataDir: dir })
      expect((await again.db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      await again.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
