/**
 * `bento migrate` and `bento cleanup` through the real binary on `--backend
 * postgres://…` (PGlite over the wire protocol, or BENTO_TEST_DATABASE_URL): the
 * same commands, the same JSON, no data dir.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { scopeFromArg } from '../../src/core/keys.js'
import { addFiles } from '../../src/ops/index.js'
import { usePgDatabase } from '../helpers/pg.js'
import { assertBuilt, makeTempDir, removeDir, runBento } from './support/bento.js'

const db = usePgDatabase()
let tmp: string
beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir('bento-pg-ops-')
  await fsp.writeFile(path.join(tmp, 'refunds.md'), '# Refunds\n\nRefunds are paid within 14 days of a return.')
})
afterAll(() => removeDir(tmp))

const OLD = 'a'.repeat(32)
const FRESH = 'b'.repeat(32)

describe('migrate and cleanup with --backend postgres://', () => {
  it('migrate moves a scope into a new key; cleanup removes only the expired session; a dry run changes nothing', async () => {
    const schema = db.schema()
    const url = `${db.url}?schema=${schema}`
    const backend = await createPgBackend({ spec: parseDatabaseSpec(url), embedder: createLocalEmbedder() })
    try {
      for (const key of ['user-1', `session-${OLD}`, `session-${FRESH}`]) {
        await addFiles(backend, scopeFromArg(key), [path.join(tmp, 'refunds.md')])
      }
    } finally {
      await backend.close()
    }

    const moved = await runBento(['migrate', 'user-1', '--to', 'user-2', '--yes', '--json', '--backend', url])
    expect(moved.code, moved.stderr).toBe(0)
    expect(JSON.parse(moved.stdout)).toMatchObject({ from: 'user-1', to: 'user-2', mode: 'rename', documents: 1, uploads: 1 })

    // The old session was last active three days ago.
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    try {
      await client.query(`UPDATE "${schema}".scopes SET last_active_at = now() - interval '3 days' WHERE dir = $1`, [`session-${OLD}`])
      const dry = await runBento(['cleanup', '--older-than', '24h', '--dry-run', '--json', '--backend', url])
      expect(dry.code, dry.stderr).toBe(0)
      expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, removed: [{ dir: `session-${OLD}` }] })
      const scopes = async () => (await client.query(`SELECT dir FROM "${schema}".scopes ORDER BY dir`)).rows.map((row) => row.dir)
      expect(await scopes()).toEqual([`session-${OLD}`, `session-${FRESH}`, 'user-2'])
      const run = await runBento(['cleanup', '--older-than', '24h', '--yes', '--json', '--backend', url])
      expect(run.code, run.stderr).toBe(0)
      const result = JSON.parse(run.stdout)
      expect(result).toMatchObject({ dryRun: false, removed: [{ dir: `session-${OLD}` }], skipped: [] })
      expect(result.freedBytes).toBeGreaterThan(0)
      expect(await scopes()).toEqual([`session-${FRESH}`, 'user-2'])
      expect((await client.query(`SELECT dir FROM "${schema}".retired_sessions`)).rows).toEqual([{ dir: `session-${OLD}` }])
    } finally {
      await client.end()
    }
  }, 120_000)
})
