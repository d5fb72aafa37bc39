#!/usr/bin/env node
/**
 * Where a hybrid search's time goes beside a vector-only one: the `hybrid` suite's
 * store (10k chunks of Zipf-like prose, offline embedder), searched in each mode
 * under the V8 CPU profiler; prints CPU ms per query per mode and writes
 * bench/out/profile-hybrid.cpuprofile (summarize: node bench/profile.js <file>).
 *
 *   node bench/profile-hybrid.js [chunks]
 */
import path from 'node:path'
import fse from 'fs-extra'
import { Session } from 'node:inspector/promises'
import { repoRoot, requireDist } from './lib/library.js'
import { createRng, seedFor } from './lib/rng.js'
import { drawWord, proseText } from './suites/hybrid-text.js'

const count = Number(process.argv[2] ?? 10_000)
const seed = 20251125
const workDir = path.join(repoRoot, 'bench', '.data', 'profile-hybrid')
const { createFsBackend } = await requireDist('core/backend/index.js', ['createFsBackend'])
const { createLocalEmbedder } = await requireDist('core/embeddings/index.js', ['createLocalEmbedder'])
const { customScope } = await requireDist('core/keys.js', ['customScope'])
const { searchStore } = await requireDist('core/search/index.js', ['searchStore'])

await fse.remove(workDir)
const embedder = createLocalEmbedder()
const backend = createFsBackend({ dataDir: workDir, embedder })
const scope = customScope('profile-hybrid')
try {
  for (let i = 0; i < count; i += 2000) {
    const texts = Array.from({ length: Math.min(2000, count - i) }, (_, j) => proseText(seed, `hybrid-${i + j}`, 400))
    const vectors = await embedder.embed(texts)
    const batch = texts.map((text, j) => ({ documentId: `doc-${Math.floor((i + j) / 4)}`, title: `Document ${Math.floor((i + j) / 4)}`, text, chunkIndex: (i + j) % 4, vector: vectors[j] }))
    await backend.withStore(scope, (store) => store.add(batch), { write: true })
  }
  const rng = createRng(seedFor(seed, 'hybrid-queries'))
  const queries = Array.from({ length: 40 }, () => Array.from({ length: 3 }, () => drawWord(rng)).join(' '))
  const cpuPerQuery = async (mode, rounds) => {
    const start = process.cpuUsage()
    for (let r = 0; r < rounds; r++) for (const query of queries) await searchStore(backend, scope, query, 10, { mode })
    const { user, system } = process.cpuUsage(start)
    return (user + system) / 1000 / (rounds * queries.length)
  }
  for (const mode of ['vector', 'hybrid', 'lexical']) await cpuPerQuery(mode, 2)
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  const figures = {}
  for (let r = 0; r < 3; r++) for (const mode of ['vector', 'hybrid', 'lexical']) figures[mode] = Math.min(figures[mode] ?? Infinity, await cpuPerQuery(mode, 10))
  const { profile } = await session.post('Profiler.stop')
  await fse.ensureDir(path.join(repoRoot, 'bench', 'out'))
  await fse.writeJson(path.join(repoRoot, 'bench', 'out', 'profile-hybrid.cpuprofile'), profile)
  console.log(JSON.stringify({ chunks: count, cpuMsPerQuery: figures, ratio: figures.hybrid / figures.vector }))
} finally {
  await backend.close()
  await fse.remove(workDir)
}
