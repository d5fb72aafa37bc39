/**
 * HNSW recall against store size, in process with hnswlib-node on the vectors the postgres suite
 * and bench/profile-pgvector.js use (the clustered 384-d data of bench/gen/vectors.js): which
 * m / ef_construction / ef_search hold recall@10 ≥ 0.95 at 100k chunks, explored here because a
 * 100k graph takes PGlite's one WebAssembly thread a quarter of an hour to build. Same algorithm
 * family as pgvector's HNSW (figures and the choice: bench/FINDINGS.md, issue 16).
 *
 * Also prints the data's local intrinsic dimension (MLE over the 20 nearest neighbours of each
 * query), the measure of how hard a data set is for graph search.
 *
 *   N=100000 CONFIGS=16:64,16:200 node bench/profile-hnsw-recall.js
 */
import hnswlib from 'hnswlib-node'
import { generateVectors, generateQueries } from './gen/vectors.js'

const N = Number(process.env.N ?? 100_000), D = Number(process.env.D ?? 384), Q = Number(process.env.Q ?? 100)
const kind = process.env.KIND ?? 'clustered'
const CONFIGS = (process.env.CONFIGS ?? '16:64,16:200').split(',').map((c) => c.split(':').map(Number))
const EFS = (process.env.EFS ?? '40,100,200,400,600,800,1000,1500,2000').split(',').map(Number)
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a)

const vectors = generateVectors({ seed: 1, count: N, dimension: D, kind })
const queries = generateQueries({ seed: 1, count: Q, dimension: D, kind })

// Exact top 20 by inner product (unit vectors): the recall reference and the LID sample.
const K = 20
const exact = queries.map((q) => {
  const best = []
  for (let label = 0; label < N; label++) {
    const v = vectors[label]
    let dot = 0
    for (let i = 0; i < D; i++) dot += v[i] * q[i]
    if (best.length < K || dot > best[best.length - 1].dot) {
      best.push({ label, dot })
      best.sort((a, b) => b.dot - a.dot)
      if (best.length > K) best.pop()
    }
  }
  return best
})
const lids = exact.map((best) => {
  const d = best.map((b) => Math.sqrt(Math.max(1e-12, 2 - 2 * b.dot)))
  let sum = 0
  for (let i = 0; i < K - 1; i++) sum += Math.log(d[i] / d[K - 1])
  return -(K - 1) / sum
})
lids.sort((a, b) => a - b)
const ratio = exact.map((best) => Math.sqrt(2 - 2 * best[K - 1].dot) / Math.sqrt(2 - 2 * best[0].dot)).sort((a, b) => a - b)
log(`${kind} ${N} × ${D}: LID (MLE, k ${K}) median ${lids[Q >> 1].toFixed(1)}; 20th-NN ÷ 1st-NN distance median ${ratio[Q >> 1].toFixed(3)}`)

const truth = exact.map((best) => new Set(best.slice(0, 10).map((b) => b.label)))
for (const [m, efc] of CONFIGS) {
  const index = new hnswlib.HierarchicalNSW('ip', D)
  index.initIndex(N, m, efc, 100)
  let t = performance.now()
  for (let label = 0; label < N; label++) index.addPoint(Array.from(vectors[label]), label)
  log(`m ${m} ef_construction ${efc}: build ${((performance.now() - t) / 1000).toFixed(1)} s`)
  const plain = queries.map((q) => Array.from(q))
  for (const ef of EFS) {
    index.setEf(ef)
    let recall = 0
    t = performance.now()
    for (const [i, q] of plain.entries()) recall += index.searchKnn(q, 10).neighbors.filter((l) => truth[i].has(l)).length / 10
    log(`m ${m} ef_construction ${efc} ef_search ${ef}: recall@10 ${(recall / Q).toFixed(3)}, ${((performance.now() - t) / Q).toFixed(2)} ms/query`)
  }
}
