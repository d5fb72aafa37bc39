/**
 * The vector index of a large store: a partial HNSW index on exactly one store's
 * rows (`WHERE scope_id = … AND part = …`) over the embedding cast to its
 * dimension (HNSW needs a typed column; `chunks.embedding` holds every
 * dimension). Below the size threshold, and above the size where a graph walk
 * can no longer hold recall, a store has none and search scans its rows exactly. Why this and not one HNSW index on the whole table: a filtered
 * walk of a shared graph loses recall as the scope becomes a small part of the
 * table, and every insert of every scope would pay for the graph
 * (docs/ARCHITECTURE.md, "Vector search on PostgreSQL").
 *
 * Built and dropped CONCURRENTLY, after the write that crossed the threshold has
 * committed, so no other scope's writers wait for a build. The store's row names
 * its index (`stores.vector_index`) once the index is valid; search takes the
 * index path only then. The indexed query is right with or without the index
 * (PostgreSQL then computes the cast per row), so a dropped or missing index
 * costs time, never results.
 */
import type pg from 'pg'
import type { Space } from '../../store/types.js'
import type { StorePart } from '../types.js'

/** On a PostgreSQL server, stores smaller than this are scanned exactly (docs/ARCHITECTURE.md, "Vector search on PostgreSQL"). */
export const DEFAULT_VECTOR_INDEX_MIN_CHUNKS = 10_000
/**
 * On PGlite, none: its one WebAssembly thread builds and maintains HNSW graphs so slowly, and
 * answers an exact scan so close to an index walk, that the index does not pay (docs/BENCHMARKS.md).
 */
export const PGLITE_VECTOR_INDEX_MIN_CHUNKS = Number.POSITIVE_INFINITY
/** The size from which a store gets its own index, by where the database runs. */
export const defaultVectorIndexMinChunks = (kind: 'postgres' | 'pglite'): number =>
  kind === 'pglite' ? PGLITE_VECTOR_INDEX_MIN_CHUNKS : DEFAULT_VECTOR_INDEX_MIN_CHUNKS
/** pgvector's HNSW indexes `vector` of at most 2,000 dimensions: larger stores stay on the exact scan. */
export const VECTOR_INDEX_MAX_DIMENSION = 2000
/** The fewest candidates a search reads from the index (pgvector's default `ef_search` 40 loses recall on large stores). */
export const VECTOR_INDEX_MIN_CANDIDATES = 400
/** pgvector's largest `hnsw.ef_search`: a walk never holds more candidates than this. */
export const VECTOR_INDEX_MAX_CANDIDATES = 1000
/**
 * One candidate per this many chunks of the store: the list needed for recall@10 ≥ 0.95 grows
 * with the store (on clustered data the neighbours of a query are spread over its whole cluster,
 * which grows with the store). Measured in docs/BENCHMARKS.md, "Eighth session".
 */
export const VECTOR_INDEX_CHUNKS_PER_CANDIDATE = 25
/**
 * Past this size the list a store needs is longer than pgvector allows, so its graph cannot hold
 * recall@10 ≥ 0.95 and the store is scanned exactly (at 100k chunks pgvector's walk found 0.87 at
 * its ceiling of 1,000, and a relaxed iterative scan past it found nothing more).
 */
export const VECTOR_INDEX_MAX_CHUNKS = VECTOR_INDEX_MAX_CANDIDATES * VECTOR_INDEX_CHUNKS_PER_CANDIDATE
/** Windows larger than this read the exact scan. */
export const VECTOR_INDEX_MAX_WINDOW = 1000

/**
 * How many candidates a search of an indexed store walks for, to be ranked exactly: at least the
 * window asked for, 400, and one per 25 chunks of the store.
 */
export const vectorIndexCandidates = (live: number, window: number): number =>
  Math.min(Math.max(window, VECTOR_INDEX_MIN_CANDIDATES, Math.ceil(live / VECTOR_INDEX_CHUNKS_PER_CANDIDATE)), Math.max(window, VECTOR_INDEX_MAX_CANDIDATES))

/**
 * Whether a search of a store with an index walks it: by default only while the list it needs
 * fits pgvector's (up to 25,000 chunks); up to `maxChunks` when the backend says otherwise
 * (`?exact-scan-above=`), walking pgvector's longest list, at a lower recall.
 */
export const searchesVectorIndex = (live: number, window: number, maxChunks = VECTOR_INDEX_MAX_CHUNKS): boolean =>
  window <= VECTOR_INDEX_MAX_WINDOW && live <= maxChunks

/** The settings of one indexed search (SET LOCAL in its transaction). */
export const indexedSearchSettings = (candidates: number): string => {
  const ef = Math.min(VECTOR_INDEX_MAX_CANDIDATES, Math.max(1, Math.floor(candidates)))
  return `SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = strict_order`
}

/** Advisory lock namespace of index builds ('BVIX'), so two replicas never build the same index. */
const BUILD_LOCK = 0x42564958

const PARTS: readonly StorePart[] = ['documents', 'memory']

const assertIndexable = (scopeId: string, part: StorePart, dimension: number): void => {
  // DDL takes no parameters: these three are inlined, so each is checked to be exactly what it claims.
  if (!/^[1-9][0-9]{0,18}$/.test(scopeId)) throw new Error(`vector index: bad scope id ${JSON.stringify(scopeId)}`)
  if (!PARTS.includes(part)) throw new Error(`vector index: bad part ${JSON.stringify(part)}`)
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > VECTOR_INDEX_MAX_DIMENSION) throw new Error(`vector index: bad dimension ${dimension}`)
}

export const vectorIndexName = (scopeId: string, part: StorePart): string => `chunks_hnsw_${scopeId}_${part}`

const NAME = /^chunks_hnsw_([1-9][0-9]{0,18})_(documents|memory)$/

/** The distance operator a space searches with, and the operator class indexing it. */
export const distanceOperator = (space: Space): '<->' | '<#>' => (space === 'l2' ? '<->' : '<#>')
const operatorClass = (space: Space): string => (space === 'l2' ? 'vector_l2_ops' : 'vector_ip_ops')

/** `embedding::vector(384)`: the indexed expression, which the search must spell the same way. */
export const typedEmbedding = (dimension: number): string => {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > VECTOR_INDEX_MAX_DIMENSION) throw new Error(`vector index: bad dimension ${dimension}`)
  return `embedding::vector(${dimension})`
}

/**
 * The ranking query of an indexed store ($1 scope id, $2 part, $3 query vector, $4 candidates, $5
 * limit): the candidates' labels and distances come from the index walk, are ranked exactly, ties
 * by label as the exact scan orders them, and only the best rows are read whole.
 */
export const indexedRankingSql = (s: string, columns: string, dimension: number, operator: '<->' | '<#>'): string => {
  const typed = typedEmbedding(dimension)
  return `WITH candidates AS MATERIALIZED (
      SELECT label, (${typed} ${operator} $3::vector(${dimension}))::float8 AS raw FROM ${s}.chunks
      WHERE scope_id = $1 AND part = $2 ORDER BY ${typed} ${operator} $3::vector(${dimension}) LIMIT $4),
    best AS (SELECT label, raw FROM candidates ORDER BY raw, label LIMIT $5)
    SELECT ${columns}, best.raw FROM ${s}.chunks JOIN best USING (label) WHERE scope_id = $1 AND part = $2 ORDER BY best.raw, label`
}

export interface VectorIndexTarget {
  scopeId: string
  part: StorePart
  dimension: number | undefined
  space: Space
  live: number
  /** The index the store's row names, if any. */
  vectorIndex: string | undefined
}

export interface VectorIndexPolicy {
  minChunks: number
  /** Default VECTOR_INDEX_MAX_CHUNKS; `?exact-scan-above=` of the backend spec. */
  maxChunks?: number
}

/** What to do about a store's index after a write: build it, drop it, or nothing. */
export const vectorIndexAction = (target: VectorIndexTarget, policy: VectorIndexPolicy): 'build' | 'drop' | 'none' => {
  const indexable = target.dimension !== undefined && target.dimension <= VECTOR_INDEX_MAX_DIMENSION
  const maxChunks = policy.maxChunks ?? VECTOR_INDEX_MAX_CHUNKS
  if (!target.vectorIndex) return indexable && target.live >= policy.minChunks && target.live <= maxChunks ? 'build' : 'none'
  // Dropped only well outside the range, so a store near one of its ends is not rebuilt at every other write.
  return !indexable || target.live < policy.minChunks / 2 || target.live > maxChunks * 1.5 ? 'drop' : 'none'
}

const indexState = async (client: pg.ClientBase, schema: string, name: string): Promise<'valid' | 'invalid' | 'absent'> => {
  const { rows } = await client.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, name],
  )
  return rows.length === 0 ? 'absent' : rows[0]!.valid ? 'valid' : 'invalid'
}

/**
 * Builds the store's index and names it in the store's row; runs outside any transaction
 * (CREATE INDEX CONCURRENTLY) on a connection of its own. Resolves false when another
 * process holds the build.
 */
export const buildVectorIndex = async (client: pg.ClientBase, schema: string, s: string, target: VectorIndexTarget): Promise<boolean> => {
  const dimension = target.dimension ?? 0
  assertIndexable(target.scopeId, target.part, dimension)
  const name = vectorIndexName(target.scopeId, target.part)
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [BUILD_LOCK, `${schema}.${name}`])
  if (rows[0]?.locked !== true) return false
  try {
    // A build killed half-way leaves an invalid index behind: it is dropped and built again.
    if ((await indexState(client, schema, name)) === 'invalid') await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${s}.${name}`)
    await client.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${s}.chunks USING hnsw ((${typedEmbedding(dimension)}) ${operatorClass(target.space)})
       WHERE scope_id = ${target.scopeId} AND part = '${target.part}'`,
    )
    if ((await indexState(client, schema, name)) !== 'valid') return false
    await client.query(`UPDATE ${s}.stores SET vector_index = $3 WHERE scope_id = $1 AND part = $2`, [target.scopeId, target.part, name])
    return true
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [BUILD_LOCK, `${schema}.${name}`])
  }
}

/** Search leaves the index first (the row stops naming it), then the index goes. */
export const dropVectorIndex = async (client: pg.ClientBase, s: string, target: Pick<VectorIndexTarget, 'scopeId' | 'part' | 'vectorIndex'>): Promise<void> => {
  const name = target.vectorIndex
  if (name === undefined || !NAME.test(name)) return
  await client.query(`UPDATE ${s}.stores SET vector_index = NULL WHERE scope_id = $1 AND part = $2 AND vector_index = $3`, [target.scopeId, target.part, name])
  await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${s}.${name}`)
}

/**
 * Drops the indexes of stores that no longer exist (a removed scope's rows go by
 * cascade; its index would stay). For whatever removes scopes; resolves to the names dropped.
 */
export const dropOrphanVectorIndexes = async (client: pg.ClientBase, schema: string, s: string): Promise<string[]> => {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'i' AND c.relname LIKE 'chunks\\_hnsw\\_%'`,
    [schema],
  )
  const dropped: string[] = []
  for (const { name } of rows) {
    const match = NAME.exec(name)
    if (!match) continue
    const exists = await client.query(`SELECT 1 FROM ${s}.stores WHERE scope_id = $1 AND part = $2`, [match[1], match[2]])
    if (exists.rows.length > 0) continue
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${s}.${name}`)
    dropped.push(name)
  }
  return dropped
}
