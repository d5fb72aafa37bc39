/**
 * Sizes per scale. `full` (the default) is what docs/BENCHMARKS.md publishes;
 * `small` (BENCH_SCALE=small) runs in a minute or two on a shared machine while
 * developing. The figures named in the brief are the full ones.
 */
export const SCALES = {
  full: {
    pairs: 5,
    du: { scopes: 10_000 },
    cleanup: { scopes: 10_000, smallScopes: 5_000, pairs: 3 },
    search: { vectors: 10_000, dimension: 384, queries: 500, k: 10, recallQueries: 200, pairs: 30 },
    open: { sizes: [{ vectors: 10_000, dimension: 384 }, { vectors: 10_000, dimension: 1536 }] },
    migrate: { sizes: [1_000, 10_000, 100_000], dimension: 384, repeats: 5, merge: { source: 10_000, target: 10_000 } },
    http: { seconds: 8, connections: 16, scopes: 1_000, manyScopes: 10_000, storeVectors: 100, pairs: 10, spreadPairs: 3 },
    rss: { counts: [1_000, 10_000], storeVectors: 100 },
    ingest: { megabytes: 8, files: 64, dimension: 384 },
    add: { chunks: 60_000, pairs: 5 },
    cliStartup: { pairs: 15 },
    embedCalls: { files: 5_000 },
    scaling: { counts: [1_000, 10_000, 100_000], repeats: 3 },
    postgres: { sizes: [50, 100_000], dimension: 384, k: 10, queries: 200, queriesAt: { 100_000: 50 }, recallQueries: 100, pairs: 5, scopes: 10_000, cleanupScopes: 1_000, http: { scopes: 100, storeVectors: 64, seconds: 8, connections: 16 } },
  },
  small: {
    pairs: 3,
    du: { scopes: 1_000 },
    cleanup: { scopes: 500, smallScopes: 500 },
    search: { vectors: 2_000, dimension: 384, queries: 200, k: 10, recallQueries: 100, pairs: 10 },
    open: { sizes: [{ vectors: 2_000, dimension: 384 }] },
    migrate: { sizes: [1_000, 2_000], dimension: 384, repeats: 3, merge: { source: 1_000, target: 1_000 } },
    http: { seconds: 2, connections: 8, scopes: 200, manyScopes: 1_000, storeVectors: 32, spreadPairs: 2 },
    rss: { counts: [200, 500], storeVectors: 32 },
    ingest: { megabytes: 1, files: 16, dimension: 384 },
    add: { chunks: 5_000, pairs: 3 },
    cliStartup: { pairs: 5 },
    embedCalls: { files: 500 },
    scaling: { counts: [250, 500, 1_000], repeats: 2 },
    postgres: { sizes: [50, 12_000], dimension: 384, k: 10, queries: 50, recallQueries: 50, pairs: 3, scopes: 1_000, cleanupScopes: 100, http: { scopes: 20, storeVectors: 32, seconds: 2, connections: 8 } },
  },
}

export const resolveScale = (name) => {
  const scale = SCALES[name]
  if (!scale) throw new Error(`Unknown BENCH_SCALE "${name}": use ${Object.keys(SCALES).join(' or ')}.`)
  return { name, ...scale }
}
