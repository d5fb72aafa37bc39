/**
 * The VectorStore contract on PostgreSQL + pgvector, checked against the fs
 * backend holding the same chunks: the same hits in the same order with the
 * same scores (vector and BM25), the same documents.
 */
import pg from 'pg'
import { describe, expect, it, vi } from 'vitest'
import { createFsBackend } from '../../../../src/core/backend/index.js'
import { createPgBackend, type PgBackend } from '../../../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../../../src/core/backend/pg/spec.js'
import type { StorageBackend } from '../../../../src/core/backend/types.js'
import { createLocalEmbedder } from '../../../../src/core/embeddings/local.js'
import { EmbedderMismatchError } from '../../../../src/core/errors.js'
import { customScope } from '../../../../src/core/keys.js'
import type { ChunkInput } from '../../../../src/core/store/types.js'
import { usePgDatabase } from '../../../helpers/pg.js'
import { useTempDirs } from '../../../helpers/temp-dir.js'

const db = usePgDatabase()
const tempDir = useTempDirs()
const embedder = createLocalEmbedder()

const TEXTS = [
  'Refunds are paid within 14 days of a return.',
  'The warehouse in Lyon ships orders on weekdays.',
  'Error ERR_4411 means the payment provider timed out.',
  'Returns need the original receipt and packaging.',
  'Наш склад в Москве работает по выходным.',
  '東京の倉庫は週末も営業しています。',
  'Shipping to Canada takes five to seven days.',
  'The refund policy changed in March: refunds now take 10 days.',
]

const chunksOf = async (documentId: string, texts: string[], metadata: Record<string, unknown> = {}): Promise<ChunkInput[]> => {
  const vectors = await embedder.embed(texts)
  return texts.map((text, i) => ({ documentId, title: `${documentId}.md`, text, chunkIndex: i, vector: vectors[i]!, metadata: { source: `${documentId}.md`, ...metadata } }))
}

const openPg = (schema: string, options: { activityCoalesceMs?: number } = {}): Promise<PgBackend> =>
  createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder, poolSize: 3, ...options })

const fill = async (backend: StorageBackend, scope = customScope('user-1')) => {
  await backend.withStore(scope, async (store) => {
    await store.add(await chunksOf('doc-a', TEXTS.slice(0, 4)))
    await store.add(await chunksOf('doc-b', TEXTS.slice(4), { lang: 'mixed' }))
  }, { write: true })
}

describe('PostgreSQL store', () => {
  it('answers vector and lexical search, documents and stats as the fs store does with the same chunks', async () => {
    const pg = await openPg(db.schema())
    const fs = createFsBackend({ dataDir: await tempDir(), embedder })
    try {
      await fill(pg)
      await fill(fs)
      const scope = customScope('user-1')
      const view = (backend: StorageBackend) =>
        backend.withStore(scope, async (store) => {
          const [query] = await embedder.embed(['refund days'])
          return {
            stats: (({ live, dimension, embedderId, space, lexical }) => ({ live, dimension, embedderId, space, lexical }))(store.stats()),
            documents: store.listDocuments(),
            vector: (await store.search(query!, 5)).map((hit) => [hit.documentId, hit.chunkIndex, hit.text, hit.score.toFixed(5)]),
            lexical: (await store.searchLexical('refunds days ERR_4411 склад 倉庫', 8))!.map((hit) => [hit.text, hit.bm25.toFixed(6), hit.score.toFixed(6), hit.matched]),
            filtered: (await store.search(query!, 3, (chunk) => chunk.metadata.lang === 'mixed')).map((hit) => hit.text),
          }
        })
      const [onPg, onFs] = [await view(pg), await view(fs)]
      expect(onPg).toEqual(onFs)
      expect(onPg.lexical.length).toBeGreaterThan(3)
      expect(onPg.filtered).toHaveLength(3)
    } finally {
      await pg.close()
      await fs.close()
    }
  })

  it('reindex with force rewrites every row\'s lexemes from its text (wiped lexemes come back); without force a current index is left alone', async () => {
    const pg = await openPg(db.schema())
    try {
      await fill(pg)
      const scope = customScope('user-1')
      const lexical = () => pg.withStore(scope, async (store) => (await store.searchLexical('refund days москве', 10))?.map((hit) => [hit.label, hit.bm25]))
      const before = await lexical()
      expect(before!.length).toBeGreaterThan(2)
      const { pool, s } = pg.database
      await pool.query(`UPDATE ${s}.chunks SET lexemes = ''::tsvector, token_count = 0`)
      expect(await lexical()).toEqual([])
      expect(await pg.withStore(scope, (store) => store.reindex(), { write: true })).toBe(false)
      expect(await pg.withStore(scope, (store) => store.reindex({ force: true }), { write: true })).toBe(true)
      expect(await lexical()).toEqual(before)
    } finally {
      await pg.close()
    }
  })

  it('replaces a document in the same commit, deletes documents and everything, and keeps vectors bit for bit on export', async () => {
    const pg = await openPg(db.schema())
    try {
      const scope = customScope('user-1')
      await fill(pg, scope)
      const replaced = await chunksOf('doc-a', ['Refunds are now paid within 3 days.'])
      await pg.withStore(scope, (store) => store.add(replaced, { replacing: ['doc-a'] }), { write: true })
      const after = await pg.withStore(scope, async (store) => ({ docs: store.listDocuments().map((d) => [d.id, d.chunks]), chunks: await store.exportChunks() }))
      expect(after.docs).toEqual([['doc-b', 4], ['doc-a', 1]])
      const exported = after.chunks.find((chunk) => chunk.documentId === 'doc-a')!
      const [normalized] = await embedder.embed(['Refunds are now paid within 3 days.'])
      const norm = Math.hypot(...normalized!)
      expect(Array.from(exported.vector).map((x) => Math.fround(x))).toEqual(Array.from(exported.vector))
      expect(exported.vector[0]).toBeCloseTo(normalized![0]! / norm, 6)
      expect(await pg.withStore(scope, (store) => store.deleteDocuments(['doc-b', 'nope']), { write: true })).toBe(4)
      await pg.withStore(scope, (store) => store.deleteAll(), { write: true })
      expect(await pg.withStore(scope, async (store) => [store.stats().live, store.listDocuments().length])).toEqual([0, 0])
    } finally {
      await pg.close()
    }
  })

  it('a write that throws leaves nothing behind (one transaction per write call)', async () => {
    const pg = await openPg(db.schema())
    try {
      const scope = customScope('user-1')
      const failing = pg.withStore(scope, async (store) => {
        await store.add(await chunksOf('doc-a', TEXTS.slice(0, 2)))
        throw new Error('the caller failed after adding')
      }, { write: true })
      await expect(failing).rejects.toThrow('the caller failed after adding')
      expect(await pg.withStore(scope, async (store) => store.stats().live)).toBe(0)
      expect(await pg.scopeExists(scope)).toBe(false)
    } finally {
      await pg.close()
    }
  })

  it('refuses another embedder\'s store with embedder_mismatch', async () => {
    const schema = db.schema()
    const pg = await openPg(schema)
    try {
      await fill(pg)
    } finally {
      await pg.close()
    }
    const other = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder: createLocalEmbedder({ dimension: 64 }), poolSize: 2 })
    try {
      const search = other.withStore(customScope('user-1'), async (store) => store.search(new Float32Array(64).fill(0.1), 3))
      await expect(search).rejects.toBeInstanceOf(EmbedderMismatchError)
    } finally {
      await other.close()
    }
  })

  it('a 50-chunk scope among a larger one finds its exact nearest neighbours (recall 1.0) and never another scope\'s', async () => {
    const pg = await openPg(db.schema())
    try {
      const big = customScope('tenant_a:big')
      const small = customScope('tenant_a:small')
      const words = (i: number) => `passage ${i} about ${['refunds', 'shipping', 'returns', 'warehouse', 'payment'][i % 5]} number ${i * 7}`
      await pg.withStore(big, async (store) => store.add(await chunksOf('big', Array.from({ length: 600 }, (_, i) => words(i)))), { write: true })
      const smallTexts = Array.from({ length: 50 }, (_, i) => words(i + 1000))
      await pg.withStore(small, async (store) => store.add(await chunksOf('small', smallTexts)), { write: true })
      const [query] = await embedder.embed(['refunds number 7070'])
      const vectors = await embedder.embed(smallTexts)
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0)
      const exact = smallTexts.map((text, i) => ({ text, sim: dot(query!, vectors[i]!) / Math.hypot(...vectors[i]!) })).sort((a, b) => b.sim - a.sim).slice(0, 10)
      const hits = await pg.withStore(small, (store) => store.search(query!, 10))
      expect(hits.every((hit) => hit.documentId === 'small')).toBe(true)
      const found = new Set(hits.map((hit) => hit.text))
      expect(exact.filter((row) => found.has(row.text)).length / 10).toBe(1)
    } finally {
      await pg.close()
    }
  })

  it('?exact-scan-above= decides whether a store past it keeps its own HNSW index and is searched through it, or is scanned exactly', async () => {
    const scope = customScope('user-big')
    const [query] = await embedder.embed(['refunds'])
    // Thresholds lowered to the 8 chunks of `fill`: an index from 4 chunks, exact scans above 6 (or never).
    const rankingOf = async (exactScanAbove: string) => {
      const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${db.schema()}&exact-scan-above=${exactScanAbove}`), embedder, poolSize: 3, vectorIndexMinChunks: 4 })
      try {
        await fill(backend, scope)
        const sent = vi.spyOn(pg.Client.prototype, 'query')
        try {
          const hits = await backend.withStore(scope, (store) => store.search(query!, 3))
          const sql = sent.mock.calls.map(([text]) => (typeof text === 'string' ? text : (text as { text: string }).text)).filter((text) => / LIMIT \$/.test(text))
          return { hits: hits.map((hit) => hit.text), indexed: sql.some((text) => text.includes('candidates AS MATERIALIZED')), indexes: (await backend.database.pool.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'chunks_hnsw%'`, [backend.database.schema])).rowCount }
        } finally {
          sent.mockRestore()
        }
      } finally {
        await backend.close()
      }
    }
    const exact = await rankingOf('6')
    const walked = await rankingOf('never')
    expect(exact).toMatchObject({ indexed: false, indexes: 0 })
    expect(walked).toMatchObject({ indexed: true, indexes: 1 })
    expect(walked.hits).toEqual(exact.hits)
  })

  it('two backends on one database (two replicas): a write on one is searched on the other at once, a delete too; no lock reported when none is held', async () => {
    const schema = db.schema()
    const [one, two] = [await openPg(schema), await openPg(schema)]
    try {
      const scope = customScope('user-1')
      // Read first, so the second replica has a cached (empty) view the write must invalidate.
      expect(await two.withStore(scope, async (store) => store.stats().live)).toBe(0)
      await fill(one, scope)
      const hits = await two.withStore(scope, async (store) => (await store.searchLexical('ERR_4411', 3))!.map((hit) => hit.documentId))
      expect(hits).toEqual(['doc-a'])
      await one.withStore(scope, (store) => store.deleteDocument('doc-a'), { write: true })
      expect(await two.withStore(scope, async (store) => store.listDocuments().map((d) => d.id))).toEqual(['doc-b'])
      expect(await two.isLockedElsewhere(scope)).toBe(false)
    } finally {
      await one.close()
      await two.close()
    }
  })
})
