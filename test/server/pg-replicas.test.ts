/**
 * Two `createBentoServer` replicas on one PostgreSQL database, over real HTTP on
 * 127.0.0.1: an upload answered by one is listed, searched and downloaded on the
 * other at once; a delete on one is gone on the other; scopes stay apart.
 */
import { describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { createBentoServer } from '../../src/server/index.js'
import { usePgDatabase } from '../helpers/pg.js'
import { uploadForm } from './helpers.js'

const db = usePgDatabase()

const startReplica = async (schema: string) => {
  const embedder = createLocalEmbedder()
  const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder, poolSize: 3 })
  const server = createBentoServer({ backend, embedder, isolation: 'custom', logger: false, ui: false })
  const { url } = await server.start({ port: 0, hostname: '127.0.0.1' })
  return { url, stop: () => server.stop() }
}

describe('two replicas on one database', () => {
  it('an upload on one is found, listed and downloaded on the other; a delete on one is gone on both', async () => {
    const schema = db.schema()
    const [one, two] = [await startReplica(schema), await startReplica(schema)]
    try {
      const user = { 'x-isolation-key': 'tenant_a:user_1' }
      const upload = await fetch(`${one.url}/api/documents/upload`, { method: 'POST', headers: user, body: uploadForm('refunds.md', '# Refunds\n\nRefunds are paid within 14 days. Code ERR_4411 is a provider timeout.', 'text/markdown') })
      expect(upload.status).toBe(200)
      const { documentId } = (await upload.json()) as { documentId: string }

      const search = await fetch(`${two.url}/api/documents/search`, { method: 'POST', headers: { ...user, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'ERR_4411', limit: 3 }) })
      expect(search.status).toBe(200)
      const found = (await search.json()) as { results: Array<{ documentId?: string; id?: string; title: string }> }
      expect(found.results.length).toBeGreaterThan(0)
      expect(found.results[0]!.title).toBe('Refunds')

      const list = (await (await fetch(`${two.url}/api/documents/list`, { headers: user })).json()) as { documents: Array<{ id: string }> }
      expect(list.documents.map((doc) => doc.id)).toEqual([documentId])
      const file = await fetch(`${two.url}/api/documents/${documentId}/file`, { headers: user })
      expect(file.status).toBe(200)
      expect(await file.text()).toContain('Refunds are paid within 14 days.')

      // Another user on either replica sees nothing of it.
      const other = { 'x-isolation-key': 'tenant_a:user_2' }
      const elsewhere = (await (await fetch(`${one.url}/api/documents/list`, { headers: other })).json()) as { documents: unknown[] }
      expect(elsewhere.documents).toEqual([])
      expect((await fetch(`${one.url}/api/documents/${documentId}/file`, { headers: other })).status).toBe(404)

      expect((await fetch(`${two.url}/api/documents/${documentId}`, { method: 'DELETE', headers: user })).status).toBe(200)
      const after = (await (await fetch(`${one.url}/api/documents/list`, { headers: user })).json()) as { documents: unknown[] }
      expect(after.documents).toEqual([])
      expect((await fetch(`${one.url}/api/documents/${documentId}/file`, { headers: user })).status).toBe(404)
    } finally {
      await one.stop()
      await two.stop()
    }
  })
})
