/**
 * Migrate and cleanup on PostgreSQL, through the same ops the CLI runs: a move into
 * an empty scope renames its row (no chunk row is rewritten), a merge adds the stored
 * vectors without re-embedding and never overwrites, a cleanup removes expired
 * sessions in batches, and two replicas sweeping at once remove each scope once.
 */
import { describe, expect, it } from 'vitest'
import { createPgBackend, type PgBackend } from '../../../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../../../src/core/embeddings/local.js'
import { customScope, sessionScope, type Scope } from '../../../../src/core/keys.js'
import type { ChunkInput } from '../../../../src/core/store/types.js'
import { applyCleanup, applyMigrate, cleanupExpiredSessions, planCleanup, planMigrate } from '../../../../src/ops/index.js'
import { usePgDatabase } from '../../../helpers/pg.js'

const db = usePgDatabase()
const embedder = createLocalEmbedder({ dimension: 16 })
const DOC_1 = `doc_${'1'.repeat(24)}`
const DOC_2 = `doc_${'2'.repeat(24)}`
const T0 = Date.parse('2026-03-01T12:00:00Z')
const HOUR = 3600_000

const chunksOf = async (documentId: string, texts: string[]): Promise<ChunkInput[]> => {
  const vectors = await embedder.embed(texts)
  return texts.map((text, chunkIndex) => ({ documentId, title: `${documentId}.txt`, text, chunkIndex, vector: vectors[chunkIndex]!, metadata: { source: `${documentId}.txt` } }))
}

const openPg = (schema: string, now: () => number = () => T0): Promise<PgBackend> =>
  createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder, poolSize: 3, now, activityCoalesceMs: 0 })

/** One document with its kept original. */
const addDocument = (backend: PgBackend, scope: Scope, id: string, texts: string[], original = `${id} bytes`) =>
  backend.withStore(scope, async (store) => {
    await store.add(await chunksOf(id, texts))
    await backend.uploadFiles(scope).write([{ documentId: id, fileName: `${id}.txt`, bytes: Buffer.from(original) }])
  }, { write: true })

const vectorsOf = (backend: PgBackend, scope: Scope) =>
  backend.withStore(scope, async (store) => (await store.exportChunks()).map((chunk) => [chunk.documentId, chunk.text, Array.from(chunk.vector)]).sort())

const migrate = async (backend: PgBackend, from: Scope, to: Scope, copy = false) =>
  applyMigrate(backend, await planMigrate(backend, { from, to, copy }))

describe('migrate on PostgreSQL', () => {
  it('moves into an empty scope by renaming its row: every chunk row stays as written (constant time)', async () => {
    const backend = await openPg(db.schema())
    try {
      const [from, to] = [customScope('user-1'), customScope('user-2')]
      await addDocument(backend, from, DOC_1, ['alpha one', 'alpha two'])
      await backend.createConversation(from)
      const before = await vectorsOf(backend, from)
      const rows = async () => (await backend.database.pool.query(`SELECT scope_id, label, xmin::text AS version FROM ${backend.database.s}.chunks ORDER BY label`)).rows
      const rowsBefore = await rows()
      const result = await migrate(backend, from, to)
      expect(result).toMatchObject({ mode: 'rename', documents: 1, vectors: 2, uploads: 1, conversations: 1 })
      expect(await rows()).toEqual(rowsBefore)
      expect(await backend.scopeExists(from)).toBe(false)
      expect(await vectorsOf(backend, to)).toEqual(before)
      expect(await backend.holdings(to)).toEqual({ documents: 1, memories: 0, uploads: 1, conversations: 1 })
      expect((await backend.readUpload(to, DOC_1))?.bytes?.toString()).toBe(`${DOC_1} bytes`)
    } finally {
      await backend.close()
    }
  })

  it('copies with copy: the source stays whole and the copy holds the same vectors', async () => {
    const backend = await openPg(db.schema())
    try {
      const [from, to] = [customScope('user-1'), customScope('user-3')]
      await addDocument(backend, from, DOC_1, ['alpha one'])
      expect(await migrate(backend, from, to, true)).toMatchObject({ mode: 'rename', copy: true })
      expect(await vectorsOf(backend, to)).toEqual(await vectorsOf(backend, from))
      expect(await backend.holdings(from)).toEqual(await backend.holdings(to))
      // The copy is its own: a write to it leaves the source alone.
      await addDocument(backend, to, DOC_2, ['beta'])
      expect(await backend.holdings(from)).toMatchObject({ documents: 1, uploads: 1 })
    } finally {
      await backend.close()
    }
  })

  it('merges without re-embedding and never overwrites: a clash is added under a new id, an identical document is already present', async () => {
    const backend = await openPg(db.schema())
    try {
      const [from, to] = [customScope('user-1'), customScope('user-2')]
      await addDocument(backend, from, DOC_1, ['source version'], 'source original')
      await addDocument(backend, from, DOC_2, ['same everywhere'])
      await addDocument(backend, to, DOC_1, ['target version'], 'target original')
      await addDocument(backend, to, DOC_2, ['same everywhere'])
      const sourceVectors = await vectorsOf(backend, from)
      const result = await migrate(backend, from, to)
      expect(result).toMatchObject({ mode: 'merge', documents: 1, vectors: 1, uploads: 1, alreadyPresent: 1 })
      const [renamed] = result.renamed
      expect(renamed?.from).toBe(DOC_1)
      expect(await backend.scopeExists(from)).toBe(false)
      const target = await vectorsOf(backend, to)
      expect(target).toContainEqual([renamed!.to, 'source version', sourceVectors.find(([id]) => id === DOC_1)![2]])
      expect(target).toContainEqual(expect.arrayContaining([DOC_1, 'target version']))
      expect((await backend.readUpload(to, DOC_1))?.bytes?.toString()).toBe('target original')
      expect((await backend.readUpload(to, renamed!.to))?.bytes?.toString()).toBe('source original')
    } finally {
      await backend.close()
    }
  })
})

describe('cleanup on PostgreSQL', () => {
  it('removes expired sessions (retired for good) and keeps active ones; a dry run changes nothing', async () => {
    let clock = T0
    const backend = await openPg(db.schema(), () => clock)
    try {
      const old = [sessionScope('a'.repeat(32)), sessionScope('b'.repeat(32))]
      for (const scope of old) await addDocument(backend, scope, DOC_1, ['old session'])
      clock = T0 + 3 * HOUR
      const fresh = sessionScope('c'.repeat(32))
      await addDocument(backend, fresh, DOC_1, ['fresh session'])
      const plan = await planCleanup(backend, { olderThanMs: HOUR, now: clock, dryRun: true })
      expect(plan.result.removed.map((row) => row.dir).sort()).toEqual(old.map((scope) => scope.dir))
      expect(plan.result.freedBytes).toBeGreaterThan(0)
      expect(await backend.scopeExists(old[0]!)).toBe(true)
      const result = await applyCleanup(backend, await planCleanup(backend, { olderThanMs: HOUR, now: clock }))
      expect(result.removed.map((row) => row.dir).sort()).toEqual(old.map((scope) => scope.dir))
      for (const scope of old) {
        expect(await backend.scopeExists(scope)).toBe(false)
        expect(await backend.isSessionRetired(scope)).toBe(true)
      }
      expect(await backend.scopeExists(fresh)).toBe(true)
    } finally {
      await backend.close()
    }
  })

  it('two replicas that both planned a sweep remove each expired session once; the second finds them already removed', async () => {
    const schema = db.schema()
    let clock = T0
    const [one, two] = [await openPg(schema, () => clock), await openPg(schema, () => clock)]
    try {
      const sessions = Array.from({ length: 20 }, (_, i) => sessionScope(i.toString(16).padStart(32, '0')))
      for (const scope of sessions) await addDocument(one, scope, DOC_1, ['expired'], 'x')
      clock = T0 + 3 * HOUR
      const plans = [await planCleanup(one, { olderThanMs: HOUR, now: clock }), await planCleanup(two, { olderThanMs: HOUR, now: clock })]
      for (const plan of plans) expect(plan.targets).toHaveLength(sessions.length)
      const first = await applyCleanup(one, plans[0]!)
      const second = await applyCleanup(two, plans[1]!)
      expect(first.removed).toHaveLength(sessions.length)
      expect(second.removed).toEqual([])
      expect(second.skipped.map((skipped) => skipped.reason)).toEqual(sessions.map(() => 'already removed'))
      for (const scope of sessions) {
        expect(await two.scopeExists(scope)).toBe(false)
        expect(await two.isSessionRetired(scope)).toBe(true)
      }
    } finally {
      await one.close()
      await two.close()
    }
  })

  // Truly concurrent sweeps need a real PostgreSQL: PGlite's socket server interleaves the statements of
  // concurrent connections into its one session (electric-sql/pglite issue 1046).
  it.runIf(Boolean(process.env.BENTO_TEST_DATABASE_URL?.trim()))('two replicas sweeping at once remove each expired session exactly once, with no error', async () => {
    const schema = db.schema()
    let clock = T0
    const [one, two] = [await openPg(schema, () => clock), await openPg(schema, () => clock)]
    try {
      const sessions = Array.from({ length: 40 }, (_, i) => sessionScope(i.toString(16).padStart(32, '0')))
      for (const scope of sessions) await addDocument(one, scope, DOC_1, ['expired'], 'x')
      clock = T0 + 3 * HOUR
      const results = await Promise.all([cleanupExpiredSessions(one, { ttlMs: HOUR }), cleanupExpiredSessions(two, { ttlMs: HOUR })])
      expect(results.flatMap((result) => result.removed.map((row) => row.dir)).sort()).toEqual(sessions.map((scope) => scope.dir).sort())
      for (const result of results) for (const skipped of result.skipped) expect(skipped.reason).toMatch(/already removed|locked by another process/)
    } finally {
      await one.close()
      await two.close()
    }
  })
})
