/**
 * Hostile keys, queries, names and contents against the PostgreSQL backend: SQL-
 * shaped keys (quotes, comments, `$1`, `$$`, LIKE wildcards, schema-qualified
 * names) and a sample of the hostile-key corpus through x-isolation-key,
 * x-muxi-user-id, route params, search queries, file names and the CLI's
 * `--backend`. Each answer is a 2xx or a 4xx without a stack trace; afterwards
 * the schema holds the same tables, every scope row is exactly what keys.ts makes
 * of an accepted key, and the victim scope's data is intact and never shown to
 * anyone else. Keys and texts reach SQL only as parameters.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { scopeOfRow } from '../../src/core/backend/pg/scope-rows.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { assertValidFileName } from '../../src/core/ingest/file-name.js'
import { customScope, type ScopeKind } from '../../src/core/keys.js'
import { createBentoServer } from '../../src/server/index.js'
import { generateHostileKeys } from '../helpers/hostile-keys.js'
import { usePgDatabase } from '../helpers/pg.js'
import { runCli, STACK_FRAME } from './support/cli-in-process.js'
import { asHeaderValue, encodeBytes, multipartUpload } from './support/http-attack.js'

const db = usePgDatabase()
const ADMIN = 'fma_pg_hostile_admin_0123456789'
const CLIENT = 'fmc_pg_hostile_client_0123456789'
const SECRET = `VICTIMSECRET${randomBytes(4).toString('hex')}`

/** Strings that would change a statement if anything concatenated them into SQL. */
const SQL_SHAPED = [
  "'; DROP TABLE scopes; --", "x' OR '1'='1", 'x" OR "1"="1', "victim' --", "victim'--", '$1', '$2::text', '$$; DROP SCHEMA bento CASCADE; $$',
  "\\'; SELECT pg_sleep(5); --", '%', '_', 'vic%', 'v_ctim', '%victim%', 'pg_catalog.pg_tables', 'public.scopes', "1; COPY scopes TO '/tmp/x'",
  "E'\\x00'", "U&'\\0000'", "');--", '*/ SELECT 1 /*', '-- comment', 'ROLLBACK; DROP TABLE chunks', "'||(SELECT key FROM scopes LIMIT 1)||'",
  "victim\u0000", "' | 'victim", "victim:* & !x", "'victim':*", '\\\\', "''''", 'custom/victim', 'isolated/victim', 'shared',
  // Valid keys (the key alphabet has no quote or space) that mean something in SQL: each must be a scope of its own.
  '--', 'victim--', '_', '___', 'v_ctim', 'x::text', 'a|b', 'victim|victim', 'bento.scopes', 'pg_catalog.pg_tables', '@@victim', '+1', 'victim:*',
]

const sampleEvenly = <T>(list: T[], size: number): T[] => Array.from({ length: Math.min(size, list.length) }, (_, i) => list[Math.floor((i * list.length) / Math.min(size, list.length))]!)

describe('hostile keys and input on the PostgreSQL backend', () => {
  it('every key reaches SQL as a parameter: 4xx or a scope of its own, the schema unchanged, the victim intact and unseen', async () => {
    const schema = db.schema()
    const spec = `${db.url}?schema=${schema}`
    const embedder = createLocalEmbedder({ dimension: 64 })
    const backend = await createPgBackend({ spec: parseDatabaseSpec(spec), embedder, poolSize: 3 })
    const server = createBentoServer({ backend, embedder, isolation: 'custom', logger: false, ui: false, accessKeys: { admin: [ADMIN], client: [CLIENT] } })
    const app = server.getApp()
    const admin = new pg.Client({ connectionString: db.url })
    await admin.connect()
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bento-pg-hostile-'))
    try {
      const tables = async () => (await admin.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema])).rows.map((row) => row.name)
      const schemas = async () => (await admin.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY 1")).rows.map((row) => row.name)
      const client = (key: string) => ({ 'x-bento-client-key': CLIENT, 'x-isolation-key': key })
      const victim = multipartUpload('victim.txt', `The victim's private note: ${SECRET}.`)
      expect((await app.request('/api/documents/upload', { method: 'POST', headers: { ...client('victim'), 'content-type': victim.type }, body: victim.body })).status).toBe(200)
      const tablesBefore = await tables()
      const schemasBefore = await schemas()

      const keys = [...SQL_SHAPED, ...sampleEvenly(generateHostileKeys({ target: dir }), 40).map((k) => k.key)]
      const seen: string[] = []
      const statuses: Record<string, number> = {}
      let cliAccepted = 0
      const expectUserError = async (what: string, pending: Response | Promise<Response>) => {
        const response = await pending
        const text = await response.text()
        expect(response.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(500)
        expect(text, what).not.toMatch(STACK_FRAME)
        seen.push(text)
        const kind = `${what.split(' ')[0]} ${response.status}`
        statuses[kind] = (statuses[kind] ?? 0) + 1
        return response.status
      }
      for (const key of keys) {
        const what = JSON.stringify(key.slice(0, 80))
        const value = asHeaderValue(key)
        const json = { 'content-type': 'application/json' }
        if (value !== undefined) {
          await expectUserError(`list ${what}`, app.request('/api/documents/list', { headers: client(value) }))
          const file = multipartUpload(`${key.slice(0, 100)}.txt`, `a note filed under ${key}`)
          await expectUserError(`upload ${what}`, app.request('/api/documents/upload', { method: 'POST', headers: { ...client(value), 'content-type': file.type }, body: file.body }))
          await expectUserError(`sessions ${what}`, app.request('/v1/sessions', { method: 'POST', headers: { 'x-bento-client-key': CLIENT, 'x-muxi-user-id': value } }))
        }
        // The key as a query, a file name, a document id and a conversation id, in a scope of the attacker's own.
        await expectUserError(`search ${what}`, app.request('/api/documents/search', { method: 'POST', headers: { ...client('attacker'), ...json }, body: JSON.stringify({ query: key, limit: 10 }) }))
        await expectUserError(`memory ${what}`, app.request('/v1/memories/search', { method: 'POST', headers: { ...client('attacker'), ...json }, body: JSON.stringify({ query: key, limit: 10 }) }))
        await expectUserError(`delete ${what}`, app.request(`/api/documents/${encodeBytes(key)}`, { method: 'DELETE', headers: client('attacker') }))
        await expectUserError(`conversation ${what}`, app.request(`/v1/sessions/${encodeBytes(key)}`, { headers: client('attacker') }))
        await expectUserError(`admin inspect ${what}`, app.request(`/api/admin/scopes/${encodeBytes(key)}`, { headers: { 'x-bento-admin-key': ADMIN } }))
      }

      // The real CLI program on the same schema, a sample of the keys as scope arguments and queries.
      const input = path.join(dir, 'input.txt')
      await writeFile(input, 'a note added by the CLI')
      for (const key of [...sampleEvenly(keys, 10), 'victim--', 'x::text']) {
        for (const args of [['search', key, key, '--json', '--backend', spec], ['add', key, input, '--json', '--backend', spec]]) {
          const run = await runCli(args, { BENTO_EMBEDDINGS_DIMENSION: '64' })
          const what = `bento ${args[0]} ${JSON.stringify(key.slice(0, 60))} → ${run.code} ${run.stderr.slice(0, 200)}`
          expect([0, 2, 3], what).toContain(run.code)
          expect(run.stderr, what).not.toMatch(STACK_FRAME)
          seen.push(run.stdout)
          if (run.code === 0) cliAccepted++
        }
      }

      // Some hostile-looking keys are valid (`--`, `victim--`, `pg_catalog.pg_tables`): every upload the key module
      // and the file-name rules accept was served, in a scope of its own.
      const succeeds = (check: () => unknown) => {
        try {
          check()
          return true
        } catch {
          return false
        }
      }
      const servable = keys.filter((key) => {
        const value = asHeaderValue(key)
        return value !== undefined && succeeds(() => customScope(value)) && succeeds(() => assertValidFileName(`${key.slice(0, 100)}.txt`))
      })
      expect(servable.length).toBeGreaterThan(5)
      expect(statuses['upload 200']).toBe(servable.length)
      expect(statuses['search 200']).toBe(keys.length)
      expect(cliAccepted).toBeGreaterThan(0)
      expect(await tables()).toEqual(tablesBefore)
      expect(await schemas()).toEqual(schemasBefore)
      const rows = (await admin.query<{ kind: ScopeKind; dir: string; key: string }>(`SELECT kind, dir, key FROM "${schema}".scopes`)).rows
      for (const row of rows) expect(scopeOfRow(row.kind, row.key)?.dir, JSON.stringify(row)).toBe(row.dir)
      expect(rows.length).toBeGreaterThan(2)
      // Only the victim's own answers hold its secret; its data is whole.
      expect(seen.filter((text) => text.includes(SECRET))).toEqual([])
      const list = await app.request('/api/documents/list', { headers: client('victim') })
      expect(((await list.json()) as { documents: Array<{ title: string }> }).documents.map((doc) => doc.title)).toEqual(['victim.txt'])
      const search = await app.request('/api/documents/search', { method: 'POST', headers: { ...client('victim'), 'content-type': 'application/json' }, body: JSON.stringify({ query: SECRET, limit: 3 }) })
      expect(JSON.stringify(((await search.json()) as { results: unknown[] }).results)).toContain(SECRET)
    } finally {
      await admin.end()
      await server.stop()
      await backend.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 300_000)
})
