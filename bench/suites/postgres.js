/**
 * The PostgreSQL backend beside the fs backend, same data, same machine. The
 * database is PGlite (PostgreSQL compiled to WebAssembly) served over the wire
 * protocol from this process, exactly as `pglite:` and the tests run it; the
 * `pg` client talks to it as to a server.
 *
 * - search: ms/query of `store.search(query, 10)` on a 50-chunk store and a large
 *   one (past the vector-index threshold, so walked through its own HNSW index),
 *   each beside the other in one database; recall@10 against brute force.
 * - ingest: chunks committed per second through `withStore` + `add` (vectors
 *   given: the storage's cost, not the embedder's).
 * - ops at many scopes: `diskUsage` where it runs on PostgreSQL, else the refusal.
 * - HTTP: `POST /api/documents/search` throughput of one and of two `bento serve`
 *   replicas on one database, against one fs-backed server.
 */
import path from 'node:path'
import autocannon from 'autocannon'
import { chunksFor } from '../gen/store.js'
import { bruteForceTopK, generateQueries, generateVectors } from '../gen/vectors.js'
import { comparison, figure } from '../lib/compare.js'
import { measure, runPairs, timeMs } from '../lib/pairs.js'
import { requireDist } from '../lib/library.js'
import { startServer } from '../lib/server-proc.js'
import { keyOf, SEARCH_BODY } from './http-fixture.js'

const COMMAND = 'npm run bench -- --only postgres'
const BATCH = 1000
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length
/** Timed queries per side per pair for a store size: `queriesAt` lowers it for stores scanned exactly at length. */
const timedQueriesFor = (cfg, size) => cfg.queriesAt?.[size] ?? cfg.queries

const loadLibrary = async () => ({
  ...(await requireDist('core/backend/pg/pglite.js', ['startPgliteServer'])),
  ...(await requireDist('core/backend/pg/pg-backend.js', ['createPgBackend'])),
  ...(await requireDist('core/backend/pg/spec.js', ['parseDatabaseSpec'])),
  ...(await requireDist('core/backend/index.js', ['createFsBackend'])),
  ...(await requireDist('core/embeddings/index.js', ['createLocalEmbedder'])),
  ...(await requireDist('core/keys.js', ['customScope'])),
  ...(await requireDist('ops/du.js', ['diskUsage'])),
  ...(await requireDist('ops/index.js', ['planMigrate', 'applyMigrate', 'planCleanup', 'applyCleanup'])),
})

/** Writes `vectors` into `scope` in batches of BATCH chunks, one write each; resolves to ms. */
const fill = (backend, scope, vectors, seed) =>
  timeMs(async () => {
    for (let start = 0; start < vectors.length; start += BATCH) {
      const chunks = chunksFor(vectors.slice(start, start + BATCH), { seed, offset: start, textBytes: 120 })
      await backend.withStore(scope, (store) => store.add(chunks), { write: true })
    }
  })

/** Chunk position in the generated list (chunksFor: 4 chunks per document). */
const indexOfHit = (hit) => Number(hit.documentId.slice(4)) * 4 + hit.chunkIndex

const recallOf = async (backend, scope, vectors, queries, k) => {
  const perQuery = []
  for (const query of queries) {
    const exact = new Set(bruteForceTopK(vectors, query, k))
    const hits = await backend.withStore(scope, (store) => store.search(query, k))
    perQuery.push(hits.filter((hit) => exact.has(indexOfHit(hit))).length / k)
  }
  return mean(perQuery)
}

const throughput = async (url, { seconds, connections, keys }) => {
  let next = 0
  const result = await autocannon({
    url: `${url}/api/documents/search`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-isolation-key': keys[0] },
    body: SEARCH_BODY,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-isolation-key': keys[next++ % keys.length] } }) }],
  })
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) throw new Error(`load on ${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`)
  return result.requests.average
}

/** Two servers answering one load: each autocannon instance takes half the connections. */
const throughputOfTwo = async (urls, options) => {
  const half = { ...options, connections: Math.max(1, Math.floor(options.connections / 2)) }
  const [a, b] = await Promise.all(urls.map((url) => throughput(url, half)))
  return a + b
}

export const postgresSuite = {
  id: 'postgres',
  title: 'PostgreSQL backend (PGlite over the wire protocol) vs the fs backend: search and recall, ingest, ops at many scopes, HTTP replicas',
  async run({ scale, seed, workDir, log }) {
    const lib = await loadLibrary()
    // BENCH_POSTGRES='{"sizes":[50],"scopes":10000}' overrides the scale's settings (a run of one part at full size).
    const cfg = { ...scale.postgres, ...JSON.parse(process.env.BENCH_POSTGRES ?? '{}') }
    const { dimension, k } = cfg
    const embedder = lib.createLocalEmbedder({ dimension })
    const server = await lib.startPgliteServer({ dataDir: path.join(workDir, 'pglite') })
    const url = `${server.url}?schema=bench`
    const pg = await lib.createPgBackend({ spec: lib.parseDatabaseSpec(url), embedder, poolSize: 4 })
    const fs = lib.createFsBackend({ dataDir: path.join(workDir, 'fs'), embedder })
    const comparisons = []
    const figures = []
    const pending = []
    try {
      // --- search and ingest ---------------------------------------------------------------
      for (const size of cfg.sizes) {
        const scope = lib.customScope(`search-${size}`)
        const vectors = generateVectors({ seed, count: size, dimension, kind: 'clustered' })
        log(`  writing ${size} chunks into each backend…`)
        const pgMs = await fill(pg, scope, vectors, seed)
        const fsMs = await fill(fs, scope, vectors, seed)
        const indexed = await pg.withStore(scope, async (store) => store.snapshot?.().row?.vectorIndex)
        log(`  written: postgres ${(pgMs / 1000).toFixed(1)} s${indexed ? ` (HNSW index ${indexed})` : ' (exact scan)'}, fs ${(fsMs / 1000).toFixed(1)} s`)
        if (size === Math.max(...cfg.sizes)) {
          figures.push(
            figure({ name: `ingest into one store, ${size} chunks × ${dimension}, postgres`, value: size / (pgMs / 1000), unit: 'chunks/s', command: COMMAND, note: `batches of ${BATCH} chunks per write (vectors given, no embedding)${indexed ? '; includes building and maintaining the store\'s HNSW index' : ''}; fs on the same chunks: ${(size / (fsMs / 1000)).toFixed(0)} chunks/s (ratio ${(fsMs / pgMs).toFixed(3)})` }),
          )
        }
        const generated = generateQueries({ seed, count: Math.max(cfg.queries, cfg.recallQueries), dimension, kind: 'clustered' }).map((q) => Array.from(q))
        const recallQueries = generated.slice(0, cfg.recallQueries)
        const queries = generated.slice(0, timedQueriesFor(cfg, size))
        const [pgRecall, fsRecall] = [await recallOf(pg, scope, vectors, recallQueries, k), await recallOf(fs, scope, vectors, recallQueries, k)]
        log(`  recall@${k}, ${size} chunks: postgres ${pgRecall.toFixed(3)}, fs ${fsRecall.toFixed(3)}`)
        figures.push(
          figure({ name: `recall@${k}, ${size} chunks × ${dimension}, clustered, postgres (${indexed ? 'own HNSW index' : 'exact scan'})`, value: pgRecall, unit: '', target: 0.95, command: COMMAND, note: `fs backend (hnswlib) on the same chunks: ${fsRecall.toFixed(3)}; ${recallQueries.length} queries; exact reference: brute force` }),
        )
        const timeSearches = (backend) => async () =>
          measure(async () => {
            for (const query of queries) await backend.withStore(scope, (store) => store.search(query, k))
          }, queries.length)
        const pairs = await runPairs({ pairs: cfg.pairs, warmup: 1, alternate: true, log, a: timeSearches(pg), b: timeSearches(fs) })
        comparisons.push(
          comparison({
            name: `search, ${size} chunks × ${dimension}, k=${k}, postgres vs fs`,
            bento: `pglite backend: withStore + store.search (${indexed ? 'the store\'s HNSW index' : 'exact scan'})`,
            baseline: 'fs backend: withStore + store.search (hnswlib)',
            unit: 'ms/query',
            pairs,
            note: `${queries.length} queries per side per pair; the database also holds the other sizes' stores`,
          }),
        )
      }

      // --- ops at many scopes ----------------------------------------------------------
      log(`  writing ${cfg.scopes} one-chunk scopes into each backend…`)
      const [one] = generateVectors({ seed, count: 1, dimension, kind: 'clustered' })
      const writeScopes = (backend) =>
        timeMs(async () => {
          for (let i = 0; i < cfg.scopes; i++) {
            const chunks = chunksFor([one], { seed, textBytes: 120 })
            await backend.withStore(lib.customScope(`many-${i}`), (store) => store.add(chunks), { write: true })
          }
        })
      const [pgScopesMs, fsScopesMs] = [await writeScopes(pg), await writeScopes(fs)]
      figures.push(
        figure({ name: `create ${cfg.scopes} one-chunk scopes, postgres`, value: cfg.scopes / (pgScopesMs / 1000), unit: 'scopes/s', command: COMMAND, note: `one write transaction each; fs: ${(cfg.scopes / (fsScopesMs / 1000)).toFixed(0)} scopes/s (ratio ${(fsScopesMs / pgScopesMs).toFixed(3)})` }),
      )
      try {
        const pairs = await runPairs({ pairs: cfg.pairs, warmup: 0, log, a: async () => timeMs(() => lib.diskUsage(pg)), b: async () => timeMs(() => lib.diskUsage(fs)) })
        comparisons.push(comparison({ name: `du over ${cfg.scopes + cfg.sizes.length} scopes, postgres vs fs`, bento: 'diskUsage(pg backend)', baseline: 'diskUsage(fs backend)', unit: 'ms', pairs, note: 'in-process operation, no CLI start-up' }))
      } catch (error) {
        log(`  du on postgres: ${error.message}`)
        pending.push(`du: ${error.code ?? 'error'}: ${error.message}`)
      }
      // Migrate one scope into an empty target, among all the others: a different scope each run.
      const migrateOne = (backend) => async (i) =>
        timeMs(async () => {
          const plan = await lib.planMigrate(backend, { from: lib.customScope(`many-${i}`), to: lib.customScope(`moved-${i}`) })
          const outcome = await lib.applyMigrate(backend, plan)
          if (outcome.mode !== 'rename') throw new Error(`migrate many-${i}: ${outcome.mode}, expected a rename`)
        })
      const migratePairs = await runPairs({ pairs: cfg.pairs, warmup: 1, log, a: migrateOne(pg), b: migrateOne(fs) })
      comparisons.push(comparison({ name: `migrate one scope into an empty target among ${cfg.scopes} scopes, postgres vs fs`, bento: 'planMigrate + applyMigrate (pg backend)', baseline: 'planMigrate + applyMigrate (fs backend)', unit: 'ms', pairs: migratePairs, note: 'in-process operation, no CLI start-up; a different one-chunk scope each run' }))
      // Cleanup of a slice of the scopes (named, so each run removes a fresh slice), the rest staying.
      const slice = (i) => Array.from({ length: cfg.cleanupScopes }, (_, j) => lib.customScope(`many-${cfg.pairs + 1 + i * cfg.cleanupScopes + j}`))
      const cleanupSlice = (backend) => async (i) =>
        timeMs(async () => {
          const scopes = slice(i)
          const plan = await lib.planCleanup(backend, { olderThanMs: 0, kinds: ['custom'], scopes, now: Date.now() + 7 * 86_400_000 })
          const result = await lib.applyCleanup(backend, plan)
          if (result.removed.length !== scopes.length) throw new Error(`cleanup removed ${result.removed.length} of ${scopes.length} scopes`)
        })
      const cleanupPairs = await runPairs({ pairs: cfg.pairs, warmup: 0, log, a: cleanupSlice(pg), b: cleanupSlice(fs) })
      comparisons.push(comparison({ name: `cleanup of ${cfg.cleanupScopes} scopes among ${cfg.scopes}, postgres vs fs`, bento: 'planCleanup + applyCleanup (pg backend)', baseline: 'planCleanup + applyCleanup (fs backend)', unit: 'ms', pairs: cleanupPairs, note: 'in-process operation, no CLI start-up; a fresh slice of one-chunk scopes each run, named with --scope as the CLI would' }))

      // --- HTTP: one and two replicas on one database ----------------------------------
      const keys = Array.from({ length: cfg.http.scopes }, (_, i) => keyOf(i))
      log(`  HTTP: writing ${keys.length} scopes of ${cfg.http.storeVectors} embedded chunks into each backend…`)
      const texts = chunksFor(Array.from({ length: cfg.http.storeVectors }), { seed, textBytes: 600 })
      const embedded = await embedder.embed(texts.map((chunk) => chunk.text))
      const httpChunks = texts.map((chunk, i) => ({ ...chunk, vector: embedded[i] }))
      for (const key of keys) {
        for (const backend of [pg, fs]) await backend.withStore(lib.customScope(key), (store) => store.add(httpChunks), { write: true })
      }
      await fs.close()
      const httpOptions = { seconds: cfg.http.seconds, connections: cfg.http.connections, keys }
      const fsServer = await startServer('bento-server.js', JSON.stringify({ dataDir: path.join(workDir, 'fs'), isolation: 'custom' }))
      const replicas = [await startServer('bento-server.js', JSON.stringify({ databaseUrl: url, isolation: 'custom' }))]
      try {
        replicas.push(await startServer('bento-server.js', JSON.stringify({ databaseUrl: url, isolation: 'custom' })))
        const setting = `${keys.length} scopes of ${cfg.http.storeVectors} chunks round-robin, ${cfg.http.connections} connections, ${cfg.http.seconds} s per side per pair`
        const onePairs = await runPairs({ pairs: cfg.pairs, warmup: 1, alternate: true, log, a: () => throughput(replicas[0].url, httpOptions), b: () => throughput(fsServer.url, httpOptions) })
        comparisons.push(comparison({ name: 'HTTP search, one replica on postgres vs one fs server', bento: `POST /api/documents/search ${SEARCH_BODY}, pg backend on the PGlite socket`, baseline: 'the same server on the fs backend', unit: 'req/s', better: 'higher', pairs: onePairs, note: setting }))
        try {
          const twoPairs = await runPairs({ pairs: cfg.pairs, warmup: 1, alternate: true, log, a: () => throughputOfTwo(replicas.map((r) => r.url), httpOptions), b: () => throughput(fsServer.url, httpOptions) })
          comparisons.push(comparison({ name: 'HTTP search, two replicas on one postgres vs one fs server', bento: 'two bento serve processes on one database, each taking half the connections (summed req/s)', baseline: 'one server on the fs backend', unit: 'req/s', better: 'higher', pairs: twoPairs, note: `${setting}; PGlite runs every query on one thread in this process, so a second replica adds no database capacity` }))
        } catch (error) {
          log(`  two replicas: ${error.message}`)
          pending.push(`HTTP with two replicas: ${error.message}`)
        }
      } finally {
        await Promise.all([fsServer.stop(), ...replicas.map((r) => r.stop())])
      }
    } finally {
      await pg.close().catch(() => undefined)
      await fs.close().catch(() => undefined)
      await server.close()
    }
    return {
      setup: `PGlite ${cfg.sizes.join(' and ')}-chunk stores × ${dimension} (clustered vectors), ${cfg.scopes} one-chunk scopes; the vector index threshold at its default; ${cfg.sizes.map((size) => `${timedQueriesFor(cfg, size)} timed queries per side per pair at ${size} chunks`).join(', ')}${cfg.queriesAt ? ' (fewer at the sizes PGlite scans exactly: each such query reads every vector on one WebAssembly thread, so the full count would not fit a session)' : ''}${pending.length ? `. Not measured: ${pending.join('; ')}` : ''}`,
      comparisons,
      figures,
    }
  },
}
