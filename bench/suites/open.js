/**
 * Cold open of a store: `openStore` and a first 1-NN search (so a lazy open
 * pays its load) against raw `readIndex` + `JSON.parse(docstore.json)` + the
 * same search. The OS page cache is warm for both sides; "cold" is the process
 * object, which is what a server pays when its pool evicts and reopens a scope.
 */
import path from 'node:path'
import fsp from 'node:fs/promises'
import hnswlib from 'hnswlib-node'
import { buildStore, loadStoreModule } from '../gen/store.js'
import { generateVectors } from '../gen/vectors.js'
import { measure, runPairs } from '../lib/pairs.js'
import { collectGarbage } from '../lib/gc.js'
import { comparison } from '../lib/compare.js'
import { SkipError } from '../lib/library.js'

const { HierarchicalNSW } = hnswlib

export const openSuite = {
  id: 'open',
  title: 'Cold open of a store vs raw readIndex + docstore parse',
  async run({ scale, seed, workDir, log }) {
    const { openStore } = await loadStoreModule()
    const comparisons = []
    for (const { vectors: count, dimension } of scale.open.sizes) {
      const dir = path.join(workDir, `store-${count}-${dimension}`)
      const vectors = generateVectors({ seed, count, dimension })
      log(`  building ${count} × ${dimension}…`)
      if ((await buildStore({ dir, vectors, dimension, seed })) !== 'bento') throw new SkipError('store API unavailable')
      const query = Array.from(vectors[0])
      const pairs = await runPairs({
        pairs: scale.pairs * 2,
        log,
        a: async () => {
          collectGarbage()
          let store
          const ms = await measure(async () => {
            store = await openStore({ dir, create: false })
            store.stats()
            await store.search(query, 1)
          })
          await store.close()
          return ms
        },
        b: async () => {
          collectGarbage()
          return measure(async () => {
            const index = new HierarchicalNSW('cosine', dimension)
            await index.readIndex(path.join(dir, 'hnswlib.index'))
            JSON.parse(await fsp.readFile(path.join(dir, 'docstore.json'), 'utf8'))
            index.searchKnn(query, 1)
          })
        },
      })
      comparisons.push(
        comparison({
          name: `cold open, ${count / 1000}k × ${dimension}`,
          bento: 'openStore({dir, create: false}) + stats() + search(q, 1)',
          baseline: 'new HierarchicalNSW + readIndex + JSON.parse(docstore.json) + searchKnn(q, 1)',
          unit: 'ms',
          target: dimension === 384 ? 1.3 : undefined,
          pairs,
        }),
      )
    }
    return { setup: 'stores written through the store API; page cache warm for both sides', comparisons }
  },
}
