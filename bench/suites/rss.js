/**
 * Peak server RSS while 1,000 and then 10,000 distinct scopes are touched (each
 * searched once, round-robin), under the default memory budget, against the
 * memory model the README documents: base + the open stores' footprints, at most
 * the budget. Base is the RSS with one store open; a store's footprint is what
 * the store itself reports (`footprint()`, the pool's charge) for the template
 * every scope is copied from. Issue 18's target: peak ≤ 1.2× the model.
 */
import path from 'node:path'
import { readRss } from '../lib/proc.js'
import { startServer } from '../lib/server-proc.js'
import { figure } from '../lib/compare.js'
import { requireDist } from '../lib/library.js'
import { loadStoreModule } from '../gen/store.js'
import { keyOf, sampleRss, writeHttpScopes } from './http-fixture.js'
import { load, RSS_GUARD_BYTES } from './http.js'

const MiB = 2 ** 20

export const rssSuite = {
  id: 'rss',
  title: 'Peak server RSS with 1,000 and 10,000 distinct scopes touched, default memory budget, against the memory model',
  async run({ scale, seed, workDir, templatesDir, log }) {
    await requireDist('index.js', ['createBentoServer'])
    const { DEFAULT_MAX_STORE_MEMORY } = await requireDist('core/defaults.js')
    const { openStore } = await loadStoreModule()
    const { counts, storeVectors } = scale.rss
    const root = path.join(workDir, 'data')
    const most = Math.max(...counts)
    log(`  writing ${most} scopes of ${storeVectors} chunks…`)
    await writeHttpScopes({ root, templatesDir, count: most, vectors: storeVectors, seed, log })
    const template = await openStore({ dir: path.join(templatesDir, `http-${storeVectors}`), create: false })
    const footprint = template.footprint()
    await template.close()
    const server = await startServer('bento-server.js', JSON.stringify({ dataDir: root, isolation: 'custom' }))
    try {
      const keys = Array.from({ length: most }, (_, i) => keyOf(i))
      await load({ url: server.url, connections: 1, keys: keys.slice(0, 1), amount: 20 })
      const base = readRss(server.pid).rss
      const figures = []
      for (const count of counts) {
        const sampler = sampleRss(readRss, server.pid)
        const run = await load({ url: server.url, connections: 8, keys: keys.slice(0, count), amount: count, guardPid: server.pid })
        sampler.stop()
        const peak = readRss(server.pid).peak
        const model = base + Math.min(DEFAULT_MAX_STORE_MEMORY, count * footprint)
        log(`  ${count} scopes: peak ${(peak / MiB).toFixed(0)} MiB, model ${(model / MiB).toFixed(0)} MiB (base ${(base / MiB).toFixed(0)} + min(budget, ${count} × ${(footprint / 1024).toFixed(0)} KiB)): ${(peak / model).toFixed(2)}×${run.guardTripped ? ' (stopped at the safety limit)' : ''}`)
        figures.push(figure({
          name: `peak RSS ÷ memory model, ${count} scopes touched, default budget`, value: peak / model, unit: '×', better: 'lower', target: 1.2, command: 'npm run bench -- --only rss',
          note: `peak ${(peak / MiB).toFixed(0)} MiB (VmHWM); model = base ${(base / MiB).toFixed(0)} MiB + min(budget ${(DEFAULT_MAX_STORE_MEMORY / MiB).toFixed(0)} MiB, ${count} × ${(footprint / 1024).toFixed(0)} KiB per store); ${run.requests.average.toFixed(0)} req/s${run.guardTripped ? `; STOPPED at the ${(RSS_GUARD_BYTES / MiB).toFixed(0)} MiB safety limit` : ''}`,
        }))
      }
      return { setup: `${most} scopes of ${storeVectors} chunks (384-d); the first 1,000 then all touched once each, 8 connections; server with the default memory budget`, figures }
    } finally {
      await server.stop()
    }
  },
}
