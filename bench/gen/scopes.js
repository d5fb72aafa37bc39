/**
 * Data dirs with many scopes and a skewed size distribution: the number of
 * documents per scope is Pareto-distributed (most scopes hold a document or
 * two, a few hold hundreds), each document is one upload file plus 1–3 chunks
 * in the scope's vector store. Scope i is the same in a 1k and a 100k tree
 * (its own child seed), so a tree can be grown in place for scaling curves.
 *
 * Vector stores are copies of small template stores written once through
 * Bento's store API (see store.js), one per power-of-two size class: every
 * scope holds a real, loadable store without building 100k HNSW indexes.
 */
import path from 'node:path'
import fsp from 'node:fs/promises'
import fse from 'fs-extra'
import { createRng, seedFor } from '../lib/rng.js'
import { requireDist } from '../lib/library.js'
import { buildStore } from './store.js'
import { generateVectors } from './vectors.js'
import { textPool } from './text.js'

/** Shapes of tree. `du` hits ~20 files per scope (10k scopes → ~200k files). */
export const PROFILES = {
  du: { docsXm: 4, docsAlpha: 1.25, docsCap: 1500, uploadXm: 600, uploadAlpha: 1.4, uploadCap: 256 * 1024, maxVectorClass: 256 },
  // Lighter, for 100k-scope scaling trees: ~7 files per scope.
  scaling: { docsXm: 1, docsAlpha: 1.6, docsCap: 400, uploadXm: 400, uploadAlpha: 1.5, uploadCap: 64 * 1024, maxVectorClass: 256 },
  // Many small scopes (issue 18): one upload each, so ~6 files per scope, where per-scope costs show.
  small: { docsXm: 1, docsAlpha: 1.6, docsCap: 1, uploadXm: 400, uploadAlpha: 1.5, uploadCap: 64 * 1024, maxVectorClass: 4 },
}

const DAY = 86_400_000

let keysModule
const loadKeys = async () => (keysModule ??= await requireDist('core/keys.js', ['sessionScope', 'customScope']))

/** The shape of scope `index` alone: no I/O, so totals can be planned cheaply. */
export const planScope = (seed, index, profile, { expiredFraction = 0, sessionsOnly = false } = {}) => {
  const rng = createRng(seedFor(seed, 'scope', index))
  const kindDraw = rng.next()
  const docs = Math.max(1, Math.min(profile.docsCap, Math.floor(rng.pareto(profile.docsXm, profile.docsAlpha))))
  let vectors = 0
  const uploads = []
  for (let d = 0; d < docs; d++) {
    vectors += rng.int(1, 3)
    uploads.push(Math.min(profile.uploadCap, Math.floor(rng.pareto(profile.uploadXm, profile.uploadAlpha))))
  }
  const expired = rng.next() < expiredFraction
  const ageMs = expired ? rng.int(3, 60) * DAY + rng.int(0, DAY) : rng.int(0, 6 * 3_600_000)
  const vectorClass = Math.min(profile.maxVectorClass, 2 ** Math.ceil(Math.log2(vectors)))
  const hex = rng.hex(32)
  let key
  if (sessionsOnly || kindDraw < 0.6) key = { kind: 'session', raw: hex }
  else if (kindDraw < 0.85) key = { kind: 'custom', raw: `user-${index}` }
  else key = { kind: 'custom', raw: `tenant_${index % 97}:user_${index}` }
  return { index, key, docs, vectorClass, uploads, expired, ageMs, files: 5 + docs }
}

/** Store templates per size class, written once per run and dimension. */
const templateFor = async (templatesDir, vectorClass, dimension, seed, cache) => {
  const dir = path.join(templatesDir, `store-${dimension}-${vectorClass}`)
  if (!cache.has(dir)) {
    cache.set(dir, (async () => {
      if (!(await fse.pathExists(path.join(dir, 'hnswlib.index')))) {
        await fse.emptyDir(dir)
        await buildStore({ dir, dimension, vectors: generateVectors({ seed, count: vectorClass, dimension }), seed })
      }
      return (await fsp.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)
    })())
  }
  return { dir, files: await cache.get(dir) }
}

const runPool = async (items, limit, fn) => {
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      await fn(items[i], i)
    }
  })
  await Promise.all(workers)
}

/**
 * Writes scopes [from, to) of the tree into `root` (a Bento data dir).
 * @returns {Promise<{scopes: Array<{dir: string, key: string, kind: string, expired: boolean, files: number}>, files: number, bytes: number}>}
 */
export const generateDataDir = async ({ root, seed, from = 0, to, profile = PROFILES.du, expiredFraction = 0, sessionsOnly = false, dimension = 384, templatesDir, now = Date.now(), onProgress }) => {
  const keys = await loadKeys()
  const cache = new Map()
  const pool = textPool()
  const plans = []
  for (let i = from; i < to; i++) plans.push(planScope(seed, i, profile, { expiredFraction, sessionsOnly }))
  let files = 0
  let bytes = 0
  const scopes = []
  await runPool(plans, 32, async (plan, n) => {
    const scope = plan.key.kind === 'session' ? keys.sessionScope(plan.key.raw) : keys.customScope(plan.key.raw)
    const vectorsDir = path.join(root, 'vectors', 'isolated', scope.dir)
    const uploadsDir = path.join(root, 'uploads', 'isolated', scope.dir)
    const template = await templateFor(templatesDir, plan.vectorClass, dimension, seed, cache)
    await fse.ensureDir(vectorsDir)
    for (const name of template.files) await fsp.copyFile(path.join(template.dir, name), path.join(vectorsDir, name))
    const last = new Date(now - plan.ageMs)
    const created = new Date(last.getTime() - DAY)
    await fsp.writeFile(path.join(vectorsDir, 'activity.json'), `${JSON.stringify({ createdAt: created.toISOString(), lastActiveAt: last.toISOString() }, null, 2)}\n`)
    for (let d = 0; d < plan.uploads.length; d++) {
      const size = plan.uploads[d]
      const start = (plan.index * 7919 + d * 104_729) % (pool.length - size)
      await fse.outputFile(path.join(uploadsDir, `doc-${String(d).padStart(4, '0')}`, `notes-${d}.txt`), pool.subarray(start, start + size))
      bytes += size
    }
    // Times as an old scope would have them, for tools that go by mtime.
    for (const dir of [vectorsDir, uploadsDir]) {
      for (const name of await fsp.readdir(dir)) await fsp.utimes(path.join(dir, name), last, last)
      await fsp.utimes(dir, last, last)
    }
    files += plan.files
    scopes.push({ dir: scope.dir, key: scope.key, kind: scope.kind, expired: plan.expired, files: plan.files })
    if (onProgress && n % 1000 === 999) onProgress(n + 1, plans.length)
  })
  scopes.sort((a, b) => (a.dir < b.dir ? -1 : 1))
  return { scopes, files, bytes }
}

/** Planned totals without writing anything (to check a profile hits its file target). */
export const planTotals = (seed, count, profile, options) => {
  let files = 0
  let vectors = 0
  for (let i = 0; i < count; i++) {
    const plan = planScope(seed, i, profile, options)
    files += plan.files
    vectors += plan.vectorClass
  }
  return { files, vectors }
}
