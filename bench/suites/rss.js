/**
 * Peak RSS of the server while 10k distinct scopes are touched (each searched
 * once, round-robin) with the store pool capped at 64. The bound it is held
 * against: RSS with one store open + cap × the measured cost of one open store
 * (the RSS growth from touching the first `cap` scopes, divided by cap − 1).
 */
import path from 'node:path'
import { readRss } from '../lib/proc.js'
import { startServer } from '../lib/server-proc.js'
import { figure } from '../lib/compare.js'
import { requireDist } from '../lib/library.js'
import { keyOf, sampleRss, writeHttpScopes } from './http-fixture.js'
import { load, RSS_GUARD_BYTES } from './http.js'

const MiB = 2 ** 20

export const rssSuite = {
  id: 'rss',
  title: 'Peak server RSS with 10k distinct scopes touched at pool cap 64',
  async run({ scale, seed, workDir, templatesDir, log }) {
    await requireDist('index.js', ['createBentoServer'])
    const { scopes, cap, storeVectors } = scale.rss
    const root = path.join(workDir, 'data')
    log(`  writing ${scopes} scopes of ${storeVectors} chunks…`)
    await writeHttpScopes({ root, templatesDir, count: scopes, vectors: storeVectors, seed, log })
    const server = await startServer('bento-server.js', JSON.stringify({ dataDir: root, isolation: 'custom', maxOpenStores: cap }))
    try {
      const keys = Array.from({ length: scopes }, (_, i) => keyOf(i))
      await load({ url: server.url, connections: 1, keys: keys.slice(0, 1), amount: 20 })
      const oneStore = readRss(server.pid).rss
      await load({ url: server.url, connections: 4, keys: keys.slice(0, cap), amount: cap })
      const atCap = readRss(server.pid).rss
      const perStore = Math.max(0, (atCap - oneStore) / (cap - 1))
      const sampler = sampleRss(readRss, server.pid)
      const run = await load({ url: server.url, connections: 8, keys, amount: scopes, guardPid: server.pid })
      const rss = sampler.stop()
      const peak = readRss(server.pid).peak
      const bound = oneStore + cap * perStore
      const touched = run.guardTripped ? run.requests.total : scopes
      if (run.guardTripped) log(`  stopped after ${touched} scopes: RSS passed the ${(RSS_GUARD_BYTES / MiB).toFixed(0)} MiB safety limit`)
      log(`  one store ${(oneStore / MiB).toFixed(0)} MiB, per store ${(perStore / MiB).toFixed(2)} MiB, peak ${(peak / MiB).toFixed(0)} MiB vs bound ${(bound / MiB).toFixed(0)} MiB`)
      return {
        setup: `${scopes} scopes of ${storeVectors} chunks (384-d); every scope searched once, 8 connections; pool cap ${cap}`,
        figures: [
          figure({
            name: `peak RSS, ${touched} scopes touched, cap ${cap}${run.guardTripped ? ' (stopped at the safety limit)' : ''}`,
            value: peak / MiB,
            unit: 'MiB',
            better: 'lower',
            command: 'npm run bench -- --only rss',
            note: `bound = RSS with 1 store (${(oneStore / MiB).toFixed(0)} MiB) + ${cap} × ${(perStore / MiB).toFixed(2)} MiB per open store = ${(bound / MiB).toFixed(0)} MiB; peak / bound = ${(peak / bound).toFixed(2)}; ${run.requests.average.toFixed(0)} req/s while touching`,
          }),
          figure({ name: 'RSS per open store (measured)', value: perStore / MiB, unit: 'MiB', better: 'lower', command: 'npm run bench -- --only rss', note: `${storeVectors} chunks of 384-d` }),
          figure({ name: 'peak RSS / (1-store RSS + cap × per-store)', value: peak / bound, unit: '×', better: 'lower', command: 'npm run bench -- --only rss', note: `sampled max ${(rss.max / MiB).toFixed(0)} MiB; VmHWM ${(peak / MiB).toFixed(0)} MiB` }),
        ],
      }
    } finally {
      await server.stop()
    }
  },
}
