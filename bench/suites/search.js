/**
 * Store search (Bento's `VectorStore.search`) against raw hnswlib-node
 * `searchKnn` on the very same index file, k = 10, same ef. Queries are fresh
 * points of the data's distribution. Recall@10 is measured against exact
 * brute-force search, on uniform random unit vectors (the worst case) and on
 * clustered ones (closer to text embeddings).
 */
import path from 'node:path'
import hnswlib from 'hnswlib-node'
import { buildStore, loadStoreModule } from '../gen/store.js'
import { bruteForceTopK, generateQueries, generateVectors } from '../gen/vectors.js'
import { measure, runPairs, timeMs } from '../lib/pairs.js'
import { collectGarbage } from '../lib/gc.js'
import { comparison, figure } from '../lib/compare.js'
import { SkipError } from '../lib/library.js'
import { summarize } from '../lib/stats.js'

const { HierarchicalNSW } = hnswlib

/** Position of a chunk in the generated vector list (see chunksFor: 4 chunks per document). */
const indexOfHit = (hit) => Number(hit.documentId.slice(4)) * 4 + hit.chunkIndex

export const openBoth = async (dir, dimension) => {
  const { openStore } = await loadStoreModule()
  const store = await openStore({ dir, create: false })
  const stats = store.stats()
  const raw = new HierarchicalNSW('cosine', dimension)
  await raw.readIndex(path.join(dir, 'hnswlib.index'))
  raw.setEf(stats.efSearch)
  return { store, stats, raw }
}

/** raw label → generated index, by matching stored points to the generated vectors. */
const mapRawLabels = (raw, vectors) => {
  const keyOf = (v) => `${v[0].toFixed(4)}|${v[1].toFixed(4)}|${v[2].toFixed(4)}`
  const byKey = new Map(vectors.map((v, i) => [keyOf(v), i]))
  return new Map(raw.getIdsList().map((label) => [label, byKey.get(keyOf(raw.getPoint(label)))]))
}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length

const measureRecall = async ({ store, raw, labelMap, exact, queries, k }) => {
  const bento = []
  const baseline = []
  for (const [i, query] of queries.entries()) {
    const hits = await store.search(query, k)
    bento.push(hits.filter((hit) => exact[i].has(indexOfHit(hit))).length / k)
    baseline.push(raw.searchKnn(query, k).neighbors.filter((label) => exact[i].has(labelMap.get(label))).length / k)
  }
  return { bento: mean(bento), baseline: mean(baseline), perQuery: summarize(bento) }
}

/** Recall and time per query of raw searchKnn at a given ef (Bento passes its ef straight to hnswlib; the default-ef figures show both agree). */
const rawRecallAt = ({ raw, labelMap, exact, queries, k }, ef) => {
  raw.setEf(ef)
  const recalls = []
  const t0 = performance.now()
  const answers = queries.map((query) => raw.searchKnn(query, k).neighbors)
  const msPerQuery = (performance.now() - t0) / queries.length
  answers.forEach((labels, i) => recalls.push(labels.filter((label) => exact[i].has(labelMap.get(label))).length / k))
  return { recall: mean(recalls), msPerQuery }
}

/** The ef values swept on uniform vectors: what an operator would raise `efSearch` to for that data. */
const EF_SWEEP = [500, 800, 1200]

export const searchSuite = {
  id: 'search',
  title: 'Store search vs raw hnswlib-node searchKnn, and recall@10',
  async run({ scale, seed, workDir, log }) {
    await loadStoreModule()
    const { vectors: count, dimension, k } = scale.search
    const comparisons = []
    const figures = []
    for (const kind of ['uniform', 'clustered']) {
      const dir = path.join(workDir, `store-${kind}`)
      const vectors = generateVectors({ seed, count, dimension, kind })
      log(`  building ${count} × ${dimension} (${kind}) through the store API…`)
      const buildMs = await timeMs(async () => {
        if ((await buildStore({ dir, vectors, dimension, seed })) !== 'bento') throw new SkipError('store API unavailable')
      })
      const { store, stats, raw } = await openBoth(dir, dimension)
      const queries = generateQueries({ seed, count: scale.search.queries, dimension, kind }).map((q) => Array.from(q))
      const recallQueries = queries.slice(0, scale.search.recallQueries)
      const exact = recallQueries.map((query) => new Set(bruteForceTopK(vectors, query, k)))
      const recallInput = { store, raw, labelMap: mapRawLabels(raw, vectors), exact, queries: recallQueries, k }
      const recall = await measureRecall(recallInput)
      log(`  recall@${k} (${kind}, ef ${stats.efSearch}): bento ${recall.bento.toFixed(3)}, raw ${recall.baseline.toFixed(3)}`)
      figures.push(
        figure({
          name: `recall@${k}, ${count / 1000}k × ${dimension}, ${kind} vectors, default settings (ef ${stats.efSearch})`,
          value: recall.bento,
          unit: '',
          // Judged on clustered vectors: text embeddings have neighbourhood structure; uniform random ones are the worst case, swept below.
          target: kind === 'clustered' ? 0.95 : undefined,
          command: `npm run bench -- --only search`,
          note: `raw searchKnn at the same ef: ${recall.baseline.toFixed(3)}; exact reference: brute force over all ${count} vectors; ${scale.search.recallQueries} queries`,
          spread: recall.perQuery,
        }),
      )
      if (kind === 'uniform') {
        const at = (ef) => rawRecallAt(recallInput, ef)
        const base = at(stats.efSearch)
        for (const ef of EF_SWEEP) {
          const point = at(ef)
          log(`  recall@${k} (uniform, raw, ef ${ef}): ${point.recall.toFixed(3)}, ${point.msPerQuery.toFixed(3)} ms/query`)
          figures.push(
            figure({
              name: `recall@${k}, ${count / 1000}k × ${dimension}, uniform vectors, efSearch ${ef}`,
              value: point.recall,
              unit: '',
              command: `npm run bench -- --only search`,
              note: `raw searchKnn at ef ${ef}: ${point.msPerQuery.toFixed(3)} ms/query, against ${base.msPerQuery.toFixed(3)} at the default ef ${stats.efSearch}; what a store of structureless vectors needs (\`openStore({ efSearch })\`)`,
            }),
          )
        }
        raw.setEf(stats.efSearch)
        const pairs = await runPairs({
          pairs: scale.search.pairs,
          warmup: 2,
          alternate: true,
          log,
          a: async () => {
            collectGarbage()
            return measure(async () => {
              for (const query of queries) await store.search(query, k)
            }, queries.length)
          },
          b: async () => {
            collectGarbage()
            return measure(async () => {
              for (const query of queries) raw.searchKnn(query, k)
            }, queries.length)
          },
        })
        comparisons.push(
          comparison({
            name: `search, ${count / 1000}k × ${dimension}, k=${k}`,
            bento: 'store.search(query, 10)',
            baseline: `index.searchKnn(query, 10), same file, ef ${stats.efSearch}`,
            unit: 'ms/query',
            target: 1.1,
            pairs,
            note: `${queries.length} queries per side per pair, the side that goes first alternating; index built in ${(buildMs / 1000).toFixed(1)} s`,
          }),
        )
      }
      await store.close()
    }
    return { setup: `${count} random unit vectors, dimension ${dimension}, cosine, one store written through the store API`, comparisons, figures }
  },
}
