/**
 * du, ls and inspect (and their admin routes) on the PostgreSQL backend (PGlite over
 * the wire protocol, or BENTO_TEST_DATABASE_URL): sizes from the stored counters,
 * documents from the rows, and `inspect --verify` finding what was tampered with in SQL.
 */
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createPgBackend, type PgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { customScope, sessionScope, type Scope } from '../../src/core/keys.js'
import { diskUsage } from '../../src/ops/du.js'
import { inspectScope } from '../../src/ops/inspect.js'
import { listScopeSummaries } from '../../src/ops/ls.js'
import { createBentoServer } from '../../src/server/index.js'
import { usePgDatabase } from '../helpers/pg.js'
import { uploadForm } from '../server/helpers.js'

const db = usePgDatabase()
const embedder = createLocalEmbedder({ dimension: 32 })
const opened: PgBackend[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()))
})

const open = async (schema: string) => {
  const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder, poolSize: 2 })
  opened.push(backend)
  return backend
}

const docId = (n: number) => `doc_${String(n).repeat(24)}`

const addDocument = async (backend: PgBackend, scope: Scope, id: string, texts: string[], file?: string) =>
  backend.withStore(scope, async (store) => {
    if (file) await backend.uploadFiles(scope).write([{ documentId: id, fileName: file, bytes: Buffer.from(`${file}: ${texts.join(' ')}`) }])
    const vectors = await embedder.embed(texts)
    await store.add(texts.map((text, chunkIndex) => ({ documentId: id, title: id, text, chunkIndex, vector: vectors[chunkIndex]!, metadata: file ? { source: file, fileType: 'txt' } : {} })))
  }, { write: true })

/** Runs `text` with `{s}` standing for the quoted schema (no SET search_path: PGlite shares one session among connections). */
const sql = async (schema: string, text: string, values: unknown[] = []) => {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return await client.query(text.replaceAll('{s}', `"${schema}"`), values)
  } finally {
    await client.end()
  }
}

describe('read operations on the PostgreSQL backend', () => {
  it('du and ls report every scope from the stored sizes and rows', async () => {
    const backend = await open(db.schema())
    const user = customScope('tenant_a:user_1')
    const session = sessionScope('e'.repeat(32))
    await addDocument(backend, user, docId(1), ['alpha one', 'alpha two'], 'a.txt')
    await addDocument(backend, user, docId(2), ['bravo'])
    await addDocument(backend, session, docId(3), ['charlie'], 'c.txt')

    const du = await diskUsage(backend, { groupBy: 'tenant' })
    expect(du.scopeCount).toBe(2)
    expect(du.scopes.map((row) => row.key)).toEqual([user.key, session.key])
    const usage = await backend.usage(user)
    expect(du.scopes[0]).toMatchObject({ vectorBytes: usage.vectorBytes, uploadBytes: usage.uploadBytes, files: 1, totalBytes: usage.totalBytes })
    expect(du.scopes.every((row) => row.vectorBytes > 0 && row.uploadBytes > 0 && row.lastActiveAt !== null)).toBe(true)
    expect(du.totalBytes).toBe(du.scopes.reduce((sum, row) => sum + row.totalBytes, 0))
    expect(du.groups?.map((group) => group.tenant)).toContain('tenant_a')
    expect((await diskUsage(backend, { top: 1 })).scopes.map((row) => row.key)).toEqual([user.key])

    const ls = await listScopeSummaries(backend)
    expect(ls.scopes.map((row) => [row.kind, row.key, row.documents])).toEqual([['custom', user.key, 2], ['session', session.key, 1]])
    expect((await listScopeSummaries(backend, { kinds: ['session'] })).scopes.map((row) => row.key)).toEqual([session.key])
  })

  it('inspect reports a healthy scope; --verify names counters, orphans and missing originals tampered with in SQL', async () => {
    const schema = db.schema()
    const backend = await open(schema)
    const user = customScope('user-verify')
    await addDocument(backend, user, docId(1), ['alpha one', 'alpha two'], 'a.txt')
    await addDocument(backend, user, docId(2), ['bravo'], 'b.txt')
    const healthy = await inspectScope(backend, user, { verify: true })
    expect(healthy).toMatchObject({ exists: true, healthy: true, problems: [], uploads: { files: 2 } })
    expect(healthy.vectors).toMatchObject({ count: 3, dimension: 32, space: 'cosine', embedder: embedder.id })
    expect(healthy.documents.map((doc) => [doc.id, doc.chunks])).toEqual([[docId(1), 2], [docId(2), 1]])
    expect(healthy.paths.vectors).toContain(schema)
    expect((await inspectScope(backend, customScope('nobody'))).exists).toBe(false)

    // What a crash outside a transaction, or a hand edit, could leave: a lost chunk, a lost original, an upload of no document.
    await sql(schema, `DELETE FROM {s}.chunks WHERE document_id = $1 AND chunk_index = 1`, [docId(1)])
    await sql(schema, `DELETE FROM {s}.uploads WHERE document_id = $1`, [docId(2)])
    await sql(schema, `INSERT INTO {s}.uploads (scope_id, document_id, file_name, size, content, created_at) SELECT scope_id, $1, 'x.txt', 1, '\\x41', now() FROM {s}.uploads LIMIT 1`, [docId(9)])
    await backend.evict(user)
    const plain = await inspectScope(backend, user)
    expect(plain.problems).toEqual([
      `uploads: document ${docId(2)} (b.txt) has no original upload`,
      `uploads: ${docId(9)}/ belongs to no document (orphan)`,
    ])
    const verified = await inspectScope(backend, user, { verify: true })
    expect(verified.healthy).toBe(false)
    expect(verified.problems).toEqual(expect.arrayContaining([
      'documents: the store counts 3 live chunks but holds 2',
      `documents: document ${docId(1)} lists 2 chunks but 1 are stored`,
    ]))
    expect(verified.problems.some((problem) => /documents: the store counts \d+ bytes but its chunks hold \d+/.test(problem))).toBe(true)
  })

  it('the admin du and inspect routes answer from the database', async () => {
    const backend = await open(db.schema())
    const ADMIN = 'fma_admin_key_0123456789ab'
    const server = createBentoServer({ backend, embedder, isolation: 'custom', logger: false, ui: false, accessKeys: { admin: [ADMIN] } })
    const app = server.getApp()
    const headers = { 'x-isolation-key': 'user-123', 'x-bento-admin-key': ADMIN }
    expect((await app.request('/api/documents/upload', { method: 'POST', headers, body: uploadForm('a.txt', 'alpha text') })).status).toBe(200)
    const du = await app.request('/api/admin/scopes', { headers })
    expect(du.status).toBe(200)
    expect(await du.json()).toMatchObject({ scopeCount: 1, scopes: [{ key: 'user-123', files: 1 }] })
    const inspect = await app.request('/api/admin/scopes/user-123', { headers })
    expect(inspect.status).toBe(200)
    expect(await inspect.json()).toMatchObject({ exists: true, healthy: true, uploads: { files: 1 }, documents: [{ chunks: 1 }] })
  })
})
