/**
 * `bento migrate` and `bento cleanup` (the real binary) while two replicas serve
 * one PostgreSQL database over real HTTP: each replica sees the move and the
 * removal at its next request, with nothing cached from before.
 */
import pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { createBentoServer } from '../../src/server/index.js'
import { assertBuilt, runBento } from '../cli/support/bento.js'
import { usePgDatabase } from '../helpers/pg.js'
import { uploadForm } from './helpers.js'

const db = usePgDatabase()
beforeAll(() => assertBuilt())

const startReplica = async (schema: string) => {
  const embedder = createLocalEmbedder()
  const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder, poolSize: 3 })
  const server = createBentoServer({ backend, embedder, isolation: 'custom', logger: false, ui: false })
  const { url } = await server.start({ port: 0, hostname: '127.0.0.1' })
  return { url, stop: () => server.stop() }
}

const listed = async (url: string, key: string) =>
  ((await (await fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': key } })).json()) as { documents: Array<{ id: string }> }).documents.map((doc) => doc.id)

describe('CLI migrate and cleanup while two replicas serve', () => {
  it('a migrated scope is found under its new key on both replicas, and a cleaned-up one is gone from both', async () => {
    const schema = db.schema()
    const url = `${db.url}?schema=${schema}`
    const [one, two] = [await startReplica(schema), await startReplica(schema)]
    try {
      const upload = async (key: string) => {
        const response = await fetch(`${one.url}/api/documents/upload`, { method: 'POST', headers: { 'x-isolation-key': key }, body: uploadForm('refunds.md', '# Refunds\n\nRefunds are paid within 14 days.', 'text/markdown') })
        expect(response.status).toBe(200)
        return ((await response.json()) as { documentId: string }).documentId
      }
      const moved = await upload('user-1')
      const idle = await upload('user-9')
      // Both replicas have read both scopes.
      for (const replica of [one, two]) {
        expect(await listed(replica.url, 'user-1')).toEqual([moved])
        expect(await listed(replica.url, 'user-9')).toEqual([idle])
      }

      const migrate = await runBento(['migrate', 'user-1', '--to', 'user-2', '--yes', '--json', '--backend', url])
      expect(migrate.code, migrate.stderr).toBe(0)
      for (const replica of [one, two]) {
        expect(await listed(replica.url, 'user-2')).toEqual([moved])
        expect(await listed(replica.url, 'user-1')).toEqual([])
      }
      const file = await fetch(`${two.url}/api/documents/${moved}/file`, { headers: { 'x-isolation-key': 'user-2' } })
      expect(await file.text()).toContain('Refunds are paid within 14 days.')

      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      try {
        await client.query(`UPDATE "${schema}".scopes SET last_active_at = now() - interval '3 days' WHERE dir = 'user-9'`)
      } finally {
        await client.end()
      }
      const cleanup = await runBento(['cleanup', '--older-than', '24h', '--include-users', '--yes', '--json', '--backend', url])
      expect(cleanup.code, cleanup.stderr).toBe(0)
      expect(JSON.parse(cleanup.stdout)).toMatchObject({ removed: [{ dir: 'user-9' }] })
      for (const replica of [one, two]) {
        expect(await listed(replica.url, 'user-9')).toEqual([])
        expect(await listed(replica.url, 'user-2')).toEqual([moved])
      }
    } finally {
      await one.stop()
      await two.stop()
    }
  }, 120_000)
})
