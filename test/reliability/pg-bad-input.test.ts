/**
 * Attack 6 (bad input) on the PostgreSQL backend: the fs suite's table of malformed
 * requests, bad files and bad options (support/bad-input-rows.ts), sent to the app
 * on a pg backend (PGlite over the wire protocol) and to the CLI with `--backend`.
 * Each gets the same documented status or exit code as on files, and the database
 * is unchanged after each row: every table of the schema hashes the same. The
 * rows that damage store files on disk and the hostile files refused by extraction
 * before any storage call stay in the fs suite.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { createBentoServer } from '../../src/server/index.js'
import { usePgDatabase } from '../helpers/pg.js'
import { addTexts } from '../ops/fixtures.js'
import { ADMIN, binary, CLI_ROWS, CLIENT, ENV, HTTP_ROWS, USER } from './support/bad-input-rows.js'
import { runCli, STACK_FRAME } from './support/cli-in-process.js'

const db = usePgDatabase()

/** One hash per table of the schema, over every row, in one statement: any write shows. */
const schemaHasher = async (client: pg.Client, schema: string): Promise<() => Promise<Record<string, string>>> => {
  const tables = (await client.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema])).rows.map((row) => row.name)
  const sql = tables
    .map((name, i) => `SELECT $${i + 1}::text AS name, count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash FROM "${schema}"."${name}" t`)
    .join(' UNION ALL ')
  return async () => Object.fromEntries((await client.query<{ name: string; hash: string }>(sql, tables)).rows.map((row) => [row.name, row.hash]))
}

describe('bad input on the PostgreSQL backend: the same status or exit code, the database unchanged', () => {
  it('answers every bad request and bad command as on files and writes nothing', async () => {
    const schema = db.schema()
    const spec = `${db.url}?schema=${schema}`
    const embedder = createLocalEmbedder({ dimension: 64 })
    // A fixed clock: a valid read's activity touch rewrites the same time, so only a real write shows.
    const backend = await createPgBackend({ spec: parseDatabaseSpec(spec), embedder, poolSize: 3, now: () => Date.UTC(2026, 0, 1) })
    const server = createBentoServer({ backend, embedder, isolation: 'custom', logger: false, ui: false, accessKeys: { admin: [ADMIN], client: [CLIENT] } })
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bento-pg-bad-input-'))
    try {
      await addTexts(backend, USER, path.join(dir, 'in-user'), { 'alpha.txt': 'alpha document for bad inputs' })
      const files = { exe: path.join(dir, 'files', 'tool.exe'), empty: path.join(dir, 'files', 'empty.txt'), pdf: path.join(dir, 'files', 'fake.pdf') }
      await mkdir(path.join(dir, 'files'))
      await writeFile(files.exe, 'MZ')
      await writeFile(files.empty, '')
      await writeFile(files.pdf, binary)
      const app = server.getApp()
      const snapshot = await schemaHasher(client, schema)
      let before = await snapshot()
      const expectUnchanged = async (what: string) => {
        const after = await snapshot()
        expect(after, `${what} changed the database`).toEqual(before)
        before = after
      }

      const httpRows = HTTP_ROWS.filter((row) => !row.fsOnly)
      for (const row of httpRows) {
        const response = await app.request(row.route, { method: row.method ?? 'GET', headers: row.headers ?? {}, ...(row.body === undefined ? {} : { body: row.body }) })
        const text = await response.text()
        expect.soft(response.status, `${row.name}: ${text.slice(0, 300)}`).toBe(row.status)
        if (row.code) expect.soft(text, row.name).toContain(`"code":"${row.code}"`)
        expect(text, row.name).not.toMatch(STACK_FRAME)
        await expectUnchanged(row.name)
      }

      const cliRows = CLI_ROWS.filter((row) => !row.damage)
      for (const row of cliRows) {
        const run = await runCli(row.args(files, ['--backend', spec]), ENV)
        expect.soft(run.code, `${row.name}: ${run.stderr}`).toBe(row.code)
        expect(run.stderr, row.name).toMatch(/^bento: /)
        expect(run.stderr, row.name).not.toMatch(STACK_FRAME)
        await expectUnchanged(row.name)
      }
      expect(httpRows.length + cliRows.length).toBeGreaterThanOrEqual(55)
      // The scope the rows aimed at is whole and still answers.
      const list = await app.request('/api/documents/list', { headers: { 'x-isolation-key': USER.key, 'x-bento-client-key': CLIENT } })
      expect(((await list.json()) as { documents: Array<{ title: string }> }).documents.map((doc) => doc.title)).toEqual(['alpha.txt'])
    } finally {
      await client.end()
      await backend.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
