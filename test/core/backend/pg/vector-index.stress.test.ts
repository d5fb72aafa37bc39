/**
 * A large store searched through its own HNSW index (a low threshold here, so the
 * index is small enough for the default suite; the 100k-chunk figures are the
 * benchmark's): recall@10 against exact search for the indexed store and for a
 * 50-chunk store beside it, the index used, dropped when the store shrinks, and
 * a removed scope's index swept.
 */
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createPgBackend, type PgBackend } from '../../../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../../../src/core/backend/pg/spec.js'
import { dropOrphanVectorIndexes, indexedRankingSql } from '../../../../src/core/backend/pg/vector-index.js'
import { createLocalEmbedder } from '../../../../src/core/embeddings/local.js'
import { customScope, type Scope } from '../../../../src/core/keys.js'
import type { ChunkInput } from '../../../../src/core/store/types.js'
import { usePgDatabase } from '../../../helpers/pg.js'

const db = usePgDatabase()
const DIMENSION = 32
const embedder = createLocalEmbedder({ dimension: DIMENSION })
const MIN_CHUNKS = 150

/** Deterministic points around a few centres (closer to text embeddings than uniform noise), unit length. */
const points = (count: number, seed: number): Float32Array[] => {
  let state = seed >>> 0
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32)
  const gaussian = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next())
  const centres = Array.from({ length: 12 }, () => Float32Array.from({ length: DIMENSION }, gaussian))
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(next() * centres.length)]!
    const v = Float32Array.from(centre, (x) => x + 0.6 * gaussian())
    const norm = Math.hypot(...v)
    return v.map((x) => x / norm)
  })
}

const chunksOf = (documentId: string, vectors: Float32Array[], offset = 0): ChunkInput[] =>
  vectors.map((vector, i) => ({ documentId, title: documentId, text: `chunk ${offset + i}`, chunkIndex: offset + i, vector, metadata: { n: offset + i } }))

const exactTop = (vectors: Float32Array[], query: Float32Array, k: number, keep: (i: number) => boolean = () => true): number[] =>
  vectors
    .map((v, i) => ({ i, sim: v.reduce((sum, x, j) => sum + x * query[j]!, 0) }))
    .filter((row) => keep(row.i))
    .sort((a, b) => b.sim - a.sim)
    .slice(0, k)
    .map((row) => row.i)

const recallOf = async (backend: PgBackend, scope: Scope, vectors: Float32Array[], queries: Float32Array[], keep?: (i: number) => boolean) => {
  let found = 0
  for (const query of queries) {
    const exact = new Set(exactTop(vectors, query, 10, keep))
    const filter = keep ? (chunk: { metadata: Record<string, unknown> }) => keep(chunk.metadata.n as number) : undefined
    const hits = await backend.withStore(scope, (store) => store.search(query, 10, filter))
    found += hits.filter((hit) => exact.has(hit.metadata.n as number)).length
  }
  return found / (10 * queries.length)
}

const withClient = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

const indexesOf = (schema: string) =>
  withClient(async (client) => (await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'chunks_hnsw%' ORDER BY 1`, [schema])).rows.map((row) => row.indexname))

const vectorIndexOf = (schema: string, scope: Scope) =>
  withClient(async (client) =>
    (await client.query<{ vector_index: string | null }>(
      `SELECT st.vector_index FROM "${schema}".stores st JOIN "${schema}".scopes sc ON sc.id = st.scope_id WHERE sc.kind = $1 AND sc.dir = $2 AND st.part = 'documents'`,
      [scope.kind, scope.dir],
    )).rows[0]?.vector_index ?? null)

const openPg = (schema: string) =>
  createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder, poolSize: 3, vectorIndexMinChunks: MIN_CHUNKS })

describe('PostgreSQL per-store vector index', () => {
  it('a store past the threshold gets its own HNSW index and keeps recall@10 >= 0.95, filtered too; a 50-chunk store beside it stays exact', async () => {
    const schema = db.schema()
    const backend = await openPg(schema)
    try {
      const big = customScope('tenant:big')
      const small = customScope('tenant:small')
      const bigVectors = points(180, 1)
      const smallVectors = points(50, 2)
      await backend.withStore(small, (store) => store.add(chunksOf('small', smallVectors)), { write: true })
      await backend.withStore(big, (store) => store.add(chunksOf('big', bigVectors.slice(0, 100))), { write: true })
      expect(await vectorIndexOf(schema, big)).toBeNull()
      await backend.withStore(big, (store) => store.add(chunksOf('big', bigVectors.slice(100), 100)), { write: true })
      const name = await vectorIndexOf(schema, big)
      expect(name).toMatch(/^chunks_hnsw_\d+_documents$/)
      expect(await indexesOf(schema)).toEqual([name])
      expect(await vectorIndexOf(schema, small)).toBeNull()
      const scopeId = name!.split('_')[2]
      const plan = await withClient(async (client) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${indexedRankingSql(`"${schema}"`, 'label', DIMENSION, '<#>')}`, [scopeId, 'documents', `[${Array.from(bigVectors[0]!).join(',')}]`, 400, 10])).rows.map((row) => row['QUERY PLAN']).join('\n'))
      expect(plan).toContain(`Index Scan using ${name}`)

      const queries = points(6, 3)
      expect(await recallOf(backend, big, bigVectors, queries)).toBeGreaterThanOrEqual(0.95)
      expect(await recallOf(backend, small, smallVectors, queries)).toBe(1)
      // One chunk in eight passes the filter: the window grows past the default ef_search.
      expect(await recallOf(backend, big, bigVectors, queries.slice(0, 2), (i) => i % 8 === 0)).toBeGreaterThanOrEqual(0.95)
      const hits = await backend.withStore(big, (store) => store.search(queries[0]!, 10))
      expect(hits.every((hit) => hit.documentId === 'big')).toBe(true)
      expect(hits.map((hit) => hit.distance)).toEqual([...hits.map((hit) => hit.distance)].sort((a, b) => a - b))
    } finally {
      await backend.close()
    }
  })

  it('is dropped when the store shrinks well below the threshold, and with its scope (removeScopes or the orphan sweep)', async () => {
    const schema = db.schema()
    const backend = await openPg(schema)
    try {
      const scope = customScope('tenant:shrinking')
      const vectors = points(170, 4)
      await backend.withStore(scope, async (store) => {
        await store.add(chunksOf('keep', vectors.slice(0, 60)))
        await store.add(chunksOf('drop', vectors.slice(60), 60))
      }, { write: true })
      expect(await indexesOf(schema)).toHaveLength(1)
      await backend.withStore(scope, (store) => store.deleteDocument('drop'), { write: true })
      expect(await vectorIndexOf(schema, scope)).toBeNull()
      expect(await indexesOf(schema)).toEqual([])
      expect(await recallOf(backend, scope, vectors.slice(0, 60), points(3, 5))).toBe(1)

      const removed = customScope('tenant:removed')
      await backend.withStore(removed, (store) => store.add(chunksOf('all', points(160, 6))), { write: true })
      const [name] = await indexesOf(schema)
      expect(name).toBeDefined()
      expect((await backend.removeScopes([removed])).removed).toEqual([removed])
      expect(await indexesOf(schema)).toEqual([])
      // Rows removed some other way leave the index to the sweep.
      await backend.withStore(removed, (store) => store.add(chunksOf('all', points(160, 7))), { write: true })
      const [again] = await indexesOf(schema)
      await withClient((client) => client.query(`DELETE FROM "${schema}".scopes WHERE kind = $1 AND dir = $2`, [removed.kind, removed.dir]))
      expect(await indexesOf(schema)).toEqual([again])
      expect(await withClient((client) => dropOrphanVectorIndexes(client, schema, `"${schema}"`))).toEqual([again])
      expect(await indexesOf(schema)).toEqual([])
    } finally {
      await backend.close()
    }
  })
})
