/**
 * Scopes for the HTTP benchmarks: one store written through the store API with
 * vectors from the server's own embedder (the local hashing embedder, so a
 * search finds real passages), copied into `user-0` … `user-<n-1>`.
 */
import path from 'node:path'
import fsp from 'node:fs/promises'
import fse from 'fs-extra'
import { chunksFor, loadStoreModule } from '../gen/store.js'
import { requireDist } from '../lib/library.js'

export const SEARCH_BODY = JSON.stringify({ query: 'how does the store commit a vector index to disk', limit: 5 })
export const VECTOR_SEARCH_BODY = JSON.stringify({ query: 'how does the store commit a vector index to disk', limit: 5, mode: 'vector' })

export const keyOf = (i) => `user-${i}`

export const writeHttpScopes = async ({ root, templatesDir, count, from = 0, vectors, seed, log }) => {
  const { openStore } = await loadStoreModule()
  const { createLocalEmbedder } = await requireDist('core/embeddings/index.js', ['createLocalEmbedder'])
  const embedder = createLocalEmbedder({ dimension: 384 })
  const template = path.join(templatesDir, `http-${vectors}`)
  if (!(await fse.pathExists(path.join(template, 'hnswlib.index')))) {
    const draft = chunksFor(Array.from({ length: vectors }), { seed, textBytes: 600 })
    const embedded = await embedder.embed(draft.map((chunk) => chunk.text))
    const store = await openStore({ dir: template, dimension: 384, space: 'cosine', embedderId: embedder.id, create: true })
    await store.add(draft.map((chunk, i) => ({ ...chunk, vector: embedded[i] })))
    await store.close()
  }
  const files = (await fsp.readdir(template, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)
  const now = new Date().toISOString()
  for (let i = from; i < count; i++) {
    const dir = path.join(root, 'vectors', 'isolated', keyOf(i))
    await fse.ensureDir(dir)
    await Promise.all(files.map((name) => fsp.copyFile(path.join(template, name), path.join(dir, name))))
    await fsp.writeFile(path.join(dir, 'activity.json'), JSON.stringify({ createdAt: now, lastActiveAt: now }))
    if (log && i % 2000 === 1999) log(`  ${i + 1}/${count} scopes written`)
  }
  return { embedderId: embedder.id }
}

/** Samples a process's RSS every `everyMs` until stopped: {max, last, samples}. */
export const sampleRss = (readRss, pid, everyMs = 100) => {
  let max = 0
  let last = 0
  let samples = 0
  const tick = () => {
    try {
      const { rss } = readRss(pid)
      last = rss
      max = Math.max(max, rss)
      samples++
    } catch {
      // The process exited.
    }
  }
  tick()
  const timer = setInterval(tick, everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      tick()
      return { max, last, samples }
    },
  }
}
