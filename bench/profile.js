#!/usr/bin/env node
/**
 * Where a missed target goes: runs one hot path under the V8 CPU profiler (the
 * same data as `node --cpu-prof`), writes bench/out/<name>.cpuprofile (open it in
 * Chrome DevTools) and prints the functions with the most self time.
 *
 *   node bench/profile.js search     # store.search vs searchKnn, 10k × 384
 *   node bench/profile.js open       # openStore cold open, 10k × 384
 *   node bench/profile.js open 10000 1536   # count and dimension
 *   node bench/profile.js some.cpuprofile   # summarize a `node --cpu-prof` output (e.g. of the CLI)
 */
import path from 'node:path'
import fse from 'fs-extra'
import { Session } from 'node:inspector/promises'
import hnswlib from 'hnswlib-node'
import { buildStore, loadStoreModule } from './gen/store.js'
import { generateQueries, generateVectors } from './gen/vectors.js'
import { repoRoot } from './lib/library.js'
import { collectGarbage } from './lib/gc.js'

const name = process.argv[2] ?? 'search'
const count = Number(process.argv[3] ?? 10_000)
const dimension = Number(process.argv[4] ?? 384)
const seed = 7
const workDir = path.join(repoRoot, 'bench', '.data', `profile-${name}`)
const outDir = path.join(repoRoot, 'bench', 'out')

const scenarios = {
  async search(dir, { openStore }) {
    const store = await openStore({ dir, create: false })
    const queries = generateQueries({ seed, count: 2000, dimension }).map((q) => Array.from(q))
    for (const q of queries.slice(0, 200)) await store.search(q, 10)
    return async () => {
      for (let r = 0; r < 5; r++) for (const q of queries) await store.search(q, 10)
    }
  },
  async open(dir, { openStore }) {
    return async () => {
      for (let r = 0; r < 20; r++) {
        const store = await openStore({ dir, create: false })
        await store.search(Array.from(generateQueries({ seed, count: 1, dimension })[0]), 1)
        await store.close()
        collectGarbage()
      }
    }
  },
}

/** Self time per function, biggest first; and inclusive time for Bento's own functions. */
const summarize = (profile, elapsedLabel) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const dt = new Map()
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const label = (id) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    return `${functionName || '(anonymous)'} ${url ? `${path.relative(repoRoot, url.replace('file://', ''))}:${lineNumber + 1}` : ''}`
  }
  const self = new Map()
  const inclusive = new Map()
  let total = 0
  for (const [id, us] of dt) {
    self.set(label(id), (self.get(label(id)) ?? 0) + us)
    total += us
    const seen = new Set()
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = label(at)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + us)
    }
  }
  console.log(elapsedLabel)
  console.log('self time:')
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`)
  console.log('inclusive time, dist/ functions:')
  for (const [key, us] of [...inclusive].filter(([key]) => key.includes('dist/')).sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`)
}

if (name.endsWith('.cpuprofile')) {
  summarize(await fse.readJson(name), name)
  process.exit(0)
}

const scenario = scenarios[name]
if (!scenario) throw new Error(`unknown scenario ${name}: ${Object.keys(scenarios).join(', ')}`)
const storeModule = await loadStoreModule()
await fse.emptyDir(workDir)
try {
  const dir = path.join(workDir, 'store')
  await buildStore({ dir, vectors: generateVectors({ seed, count, dimension }), dimension, seed })
  const hot = await scenario(dir, storeModule)
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  const t0 = performance.now()
  await hot()
  const elapsed = performance.now() - t0
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  await fse.ensureDir(outDir)
  const file = path.join(outDir, `${name}.cpuprofile`)
  await fse.writeJson(file, profile)
  summarize(profile, `${name}: ${elapsed.toFixed(0)} ms profiled; ${path.relative(repoRoot, file)}`)
  void hnswlib
} finally {
  await fse.remove(workDir)
}
