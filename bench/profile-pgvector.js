/**
 * The measurements behind the PostgreSQL backend's vector search (docs/ARCHITECTURE.md, "Vector
 * search on PostgreSQL"; figures in bench/FINDINGS.md): on PGlite with pgvector, one store of N
 * chunks beside a 50-chunk store and OTHER more rows, recall@10 against brute force and latency of
 * the exact per-store scan, a partial per-store HNSW index (ef_construction 64 and 128, several
 * ef_search), with IVF=1 a partial IVFFlat index, and unless SKIP_GLOBAL one HNSW index on the whole
 * table with iterative scans.
 *
 *   N=100000 OTHER=5000 SKIP_GLOBAL=1 node bench/profile-pgvector.js
 *   N=100000 OTHER=2000 IVF=1 SKIP_GLOBAL=1 node bench/profile-pgvector.js
 *   N=100000 OTHER=2000 EFCS=64 EFS=400,1000 WINDOWS=1000,2000,4000 SKIP_GLOBAL=1 node bench/profile-pgvector.js
 */
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { generateVectors, generateQueries, bruteForceTopK } from './gen/vectors.js'
const N = Number(process.env.N ?? 10000), D = 384, OTHER = Number(process.env.OTHER ?? N), SMALL = 50, Q = 50, kind = process.env.KIND ?? 'clustered'
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a)
const db = await PGlite.create({ extensions: { vector } })
await db.exec(`CREATE EXTENSION vector; SET maintenance_work_mem = '1GB';
CREATE TABLE chunks (scope_id bigint, part text, label bigint, embedding vector NOT NULL, PRIMARY KEY (scope_id, part, label))`)
const lit = (v) => `[${Array.from(v, (x) => x.toFixed(6)).join(',')}]`
const insert = async (scope, vectors) => {
  for (let s = 0; s < vectors.length; s += 1000) {
    const b = vectors.slice(s, s + 1000)
    await db.query(`INSERT INTO chunks SELECT $1, 'documents', s + $2, v FROM unnest($3::vector[]) WITH ORDINALITY AS t(v, s)`, [scope, s, `{${b.map((v) => `"${lit(v)}"`).join(",")}}`])
  }
}
const big = generateVectors({ seed: 1, count: N, dimension: D, kind })
const small = generateVectors({ seed: 2, count: SMALL, dimension: D, kind })
const other = generateVectors({ seed: 3, count: OTHER, dimension: D, kind })
const queries = generateQueries({ seed: 1, count: Q, dimension: D, kind })
let t = performance.now()
await insert(1, big); await insert(2, small); await insert(3, other)
await db.exec('ANALYZE chunks')
log(`insert ${N + SMALL + OTHER} rows: ${((performance.now() - t) / 1000).toFixed(1)} s`)
const exactBig = queries.map((q) => new Set(bruteForceTopK(big, q, 10).map((l) => l + 1)))
const exactSmall = queries.map((q) => new Set(bruteForceTopK(small, q, 10).map((l) => l + 1)))
const run = async (name, scope, exact, sql, setup = '') => {
  let recall = 0; const times = []
  for (const [i, q] of queries.entries()) {
    const t0 = performance.now()
    await db.exec('BEGIN; ' + setup)
    const { rows } = await db.query(sql, [scope, lit(q)])
    await db.exec('COMMIT')
    times.push(performance.now() - t0)
    recall += rows.filter((r) => exact[i].has(Number(r.label))).length / 10
  }
  times.sort((a, b) => a - b)
  log(`${name}: recall ${(recall / Q).toFixed(3)}, median ${times[Q >> 1].toFixed(1)} ms, p90 ${times[Math.floor(Q * 0.9)].toFixed(1)} ms`)
}
const EXACT = `SELECT label FROM chunks WHERE scope_id = $1 AND part = 'documents' ORDER BY embedding <#> $2::vector, label LIMIT 10`
const TYPED = `SELECT label FROM chunks WHERE scope_id = $1 AND part = 'documents' ORDER BY embedding::vector(${D}) <#> $2::vector(${D}) LIMIT 10`
await run('exact big', 1, exactBig, EXACT)
await run('exact small', 2, exactSmall, EXACT)
console.log((await db.query('EXPLAIN ' + EXACT.replace('$1', '1').replace('$2', `'${lit(queries[0])}'`))).rows.map((r) => r['QUERY PLAN']).join('\n'))
if (process.env.IVF) {
// Partial per-scope IVFFlat index.
  for (const lists of [Math.round(N / 1000), Math.round(Math.sqrt(N))]) {
    t = performance.now()
    await db.exec(`CREATE INDEX chunks_ivf_1 ON chunks USING ivfflat ((embedding::vector(${D})) vector_ip_ops) WITH (lists = ${lists}) WHERE scope_id = 1 AND part = 'documents'`)
    log(`partial ivfflat build on ${N}, lists ${lists}: ${((performance.now() - t) / 1000).toFixed(1)} s`)
    for (const frac of [0.05, 0.1, 0.2]) {
      const probes = Math.max(1, Math.round(lists * frac))
      await run(`ivfflat lists ${lists} probes ${probes}`, 1, exactBig, TYPED, `SET LOCAL ivfflat.probes = ${probes}; SET LOCAL ivfflat.iterative_scan = relaxed_order;`)
    }
    await db.exec('DROP INDEX chunks_ivf_1')
  }
  await db.close()
  process.exit(0)
}
// Partial per-scope index.
const EFCS = (process.env.EFCS ?? '64,128').split(',').map(Number)
const EFS = (process.env.EFS ?? '100,200,400,800').split(',').map(Number)
// Candidate windows read through a relaxed iterative scan past ef_search 1000, ranked exactly after.
const WINDOWS = (process.env.WINDOWS ?? '').split(',').filter(Boolean).map(Number)
const RERANKED = (window) => `WITH c AS MATERIALIZED (SELECT label, embedding::vector(${D}) <#> $2::vector(${D}) AS d FROM chunks
  WHERE scope_id = $1 AND part = 'documents' ORDER BY embedding::vector(${D}) <#> $2::vector(${D}) LIMIT ${window}) SELECT label FROM c ORDER BY d, label LIMIT 10`
for (const [n, efc] of EFCS.entries()) {
  t = performance.now()
  await db.exec(`CREATE INDEX chunks_hnsw_1 ON chunks USING hnsw ((embedding::vector(${D})) vector_ip_ops) WITH (m = 16, ef_construction = ${efc}) WHERE scope_id = 1 AND part = 'documents'`)
  log(`partial hnsw build on ${N}, ef_construction ${efc}: ${((performance.now() - t) / 1000).toFixed(1)} s`)
  for (const ef of EFS) await run(`partial hnsw efc ${efc} ef ${ef}`, 1, exactBig, TYPED, `SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = strict_order;`)
  for (const window of WINDOWS) await run(`partial hnsw efc ${efc} ef 1000, ${window} candidates reranked`, 1, exactBig, RERANKED(window), 'SET LOCAL hnsw.ef_search = 1000; SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.max_scan_tuples = 1000000;')
  if (n < EFCS.length - 1) await db.exec('DROP INDEX chunks_hnsw_1')
}
await db.exec('DROP INDEX chunks_hnsw_1')
if (process.env.SKIP_GLOBAL) { await db.close(); process.exit(0) }
// Global index with iterative scans.
t = performance.now()
await db.exec(`CREATE INDEX chunks_hnsw_all ON chunks USING hnsw ((embedding::vector(${D})) vector_ip_ops)`)
log(`global hnsw build on ${N + SMALL + OTHER}: ${((performance.now() - t) / 1000).toFixed(1)} s`)
console.log((await db.query('EXPLAIN ' + TYPED.replace('$1', '2').replace('$2', `\'${lit(queries[0])}\'`))).rows.map((r) => r['QUERY PLAN'].slice(0, 120)).join('\n'))
for (const ef of [40, 100]) {
  await run(`global iterative ef ${ef} big`, 1, exactBig, TYPED, `SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = strict_order;`)
  await run(`global iterative ef ${ef} small`, 2, exactSmall, TYPED, `SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = strict_order;`)
}
await db.close()
