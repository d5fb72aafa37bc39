import { mkdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope, sessionScope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import type { Layout } from '../../src/core/layout.js'
import { walkScope } from '../../src/core/scope-walk.js'
import type { ScopeWalkJob } from '../../src/core/scope-walk.js'
import { createScopeWalker } from '../../src/core/walk-pool.js'
import { useTempDirs } from '../helpers/temp-dir.js'

// Workers run compiled code: these tests load the built modules (`npm test` builds first).
const dist = new URL('../../dist/', import.meta.url)
const fromDist = async <T>(module: string): Promise<T> => (await import(new URL(module, dist).href)) as T
type WalkPool = typeof import('../../src/core/walk-pool.js')
type WalkChannelModule = typeof import('../../src/core/walk-channel.js')
type Ops = typeof import('../../src/ops/index.js')
type Backend = typeof import('../../src/core/backend/index.js')
type Embeddings = typeof import('../../src/core/embeddings/index.js')

const tempDir = useTempDirs()

/** Scopes of varied shapes: documents, an activity file, a planted link, an uploads-only scope. */
const buildTree = async (layout: Layout, count: number): Promise<ScopeWalkJob[]> => {
  const jobs: ScopeWalkJob[] = []
  for (let i = 0; i < count; i++) {
    const scope = i % 3 === 0 ? sessionScope(i.toString(16).padStart(32, '0')) : customScope(`user-${i}`)
    const vectors = layout.vectorsDir(scope)
    const uploads = layout.uploadsDir(scope)
    await mkdir(vectors, { recursive: true })
    await writeFile(path.join(vectors, 'docstore.json'), 'x'.repeat(100 + i))
    if (i % 4 !== 0) await writeFile(layout.activityFile(scope), JSON.stringify({ lastActiveAt: new Date(Date.UTC(2026, 0, 1 + (i % 28))).toISOString() }))
    for (let d = 0; d < i % 5; d++) {
      await mkdir(path.join(uploads, `doc_${d}`), { recursive: true })
      await writeFile(path.join(uploads, `doc_${d}`, 'notes.txt'), 'y'.repeat(10 * (d + 1)))
    }
    if (i % 7 === 0) await symlink('/etc', path.join(vectors, 'planted-link'))
    jobs.push({ vectorsDir: vectors, uploadsDir: uploads, activityFile: layout.activityFile(scope) })
  }
  return jobs
}

describe('walks on worker threads', () => {
  it('answer exactly what a walk in this thread answers, links reported and never followed', async () => {
    const layout = createLayout(await tempDir())
    const jobs = await buildTree(layout, 40)
    const { createScopeWalker: createDistWalker } = await fromDist<WalkPool>('core/walk-pool.js')
    const walker = createDistWalker({ threads: 2, inlineScopes: 0 })
    expect(walker.concurrency).toBeGreaterThan(16)
    try {
      const pooled = await Promise.all(jobs.map((job) => walker.walk(job)))
      const inline = await Promise.all(jobs.map((job) => walkScope(job)))
      expect(pooled).toEqual(inline)
      expect(pooled.some((walk) => walk.skips.some((skip) => skip.reason === 'symlink'))).toBe(true)
      expect(pooled.filter((walk) => walk.activityText !== undefined)).toHaveLength(30)
    } finally {
      await walker.close()
    }
  })

  it('walk batches in this thread too once every walker has its fill, with the same answers in batch order', async () => {
    const layout = createLayout(await tempDir())
    const jobs = await buildTree(layout, 40)
    const { createScopeWalker: createDistWalker } = await fromDist<WalkPool>('core/walk-pool.js')
    const walker = createDistWalker({ threads: 1, inlineScopes: 0 })
    try {
      const batches = Array.from({ length: 8 }, (_, i) => jobs.slice(i * 5, i * 5 + 5))
      const walked = await Promise.all(batches.map((batch) => walker.walkBatch(batch)))
      expect(walked.flat()).toEqual(await Promise.all(jobs.map((job) => walkScope(job))))
    } finally {
      await walker.close()
    }
  })

  it('turn a failed walk into the same error, and keep walking the rest', async () => {
    const layout = createLayout(await tempDir())
    const [job] = await buildTree(layout, 1)
    const { createScopeWalker: createDistWalker } = await fromDist<WalkPool>('core/walk-pool.js')
    const walker = createDistWalker({ threads: 1, inlineScopes: 0 })
    try {
      const bad = walker.walk({ vectorsDir: 'bad\0path', uploadsDir: job!.uploadsDir })
      await expect(bad).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
      await expect(walker.walk(job!)).resolves.toEqual(await walkScope(job!))
    } finally {
      await walker.close()
    }
  })

  it('reject walks still pending when closed', async () => {
    const layout = createLayout(await tempDir())
    const jobs = await buildTree(layout, 20)
    const { createScopeWalker: createDistWalker } = await fromDist<WalkPool>('core/walk-pool.js')
    const walker = createDistWalker({ threads: 1, inlineScopes: 0 })
    const settled = Promise.allSettled(jobs.map((job) => walker.walk(job)))
    await walker.close()
    expect((await settled).every((outcome) => outcome.status === 'rejected')).toBe(true)
  })

})

describe('walks on worker threads, through `bento du`', () => {
  it('give `bento du` the same answer as this thread alone, totals, rows and order', async () => {
    const dataDir = await tempDir()
    await buildTree(createLayout(dataDir), 160)
    const { diskUsage } = await fromDist<Ops>('ops/index.js')
    const { createFsBackend } = await fromDist<Backend>('core/backend/index.js')
    const { createLocalEmbedder } = await fromDist<Embeddings>('core/embeddings/index.js')
    const backend = createFsBackend({ dataDir, embedder: createLocalEmbedder({ dimension: 16 }) })
    try {
      const skipsOf = async (threads: number) => {
        const skips: string[] = []
        const result = await diskUsage(backend, { threads, onSkip: (skip) => skips.push(skip.path) })
        return { result, skips: skips.sort() }
      }
      const one = await skipsOf(0)
      const pooled = await skipsOf(2)
      expect(one.result.scopeCount).toBe(160)
      expect(pooled).toEqual(one)
    } finally {
      await backend.close()
    }
  })
})

describe('a walker that dies', () => {
  it('hands its batches back: they are walked here, with the same answers, and no more go to it', async () => {
    const layout = createLayout(await tempDir())
    const jobs = await buildTree(layout, 40)
    const { createScopeWalker: createDistWalker } = await fromDist<WalkPool>('core/walk-pool.js')
    const { openWalkThread } = await fromDist<WalkChannelModule>('core/walk-channel.js')
    let sent = 0
    // A real worker that is gone by the time its first batch would be answered.
    const dying: WalkChannelModule['openWalkThread'] = (events) => {
      const real = openWalkThread({ response: () => {}, failure: events.failure })
      return {
        send(request) {
          sent++
          real.send(request)
          void real.close().then(() => events.failure(new Error('walk worker exited with code 1')))
        },
        close: () => real.close(),
      }
    }
    const walker = createDistWalker({ threads: 1, inlineScopes: 0, openChannel: dying })
    try {
      const batches = Array.from({ length: 8 }, (_, i) => jobs.slice(i * 5, i * 5 + 5))
      const walked = await Promise.all(batches.map((batch) => walker.walkBatch(batch)))
      expect(walked.flat()).toEqual(await Promise.all(jobs.map((job) => walkScope(job))))
      expect(sent).toBeGreaterThan(0)
      expect(sent).toBeLessThan(batches.length)
      const sentBefore = sent
      await expect(walker.walk(jobs[0]!)).resolves.toEqual(await walkScope(jobs[0]!))
      await expect(walker.walkBatch(jobs.slice(0, 5))).resolves.toEqual(await Promise.all(jobs.slice(0, 5).map((job) => walkScope(job))))
      expect(sent).toBe(sentBefore)
    } finally {
      await walker.close()
    }
  })
})

describe('walks from TypeScript sources', () => {
  it('stay in this thread (no compiled worker to start)', async () => {
    const layout = createLayout(await tempDir())
    const [job] = await buildTree(layout, 1)
    const walker = createScopeWalker({ threads: 4, inlineScopes: 0 })
    expect(walker.concurrency).toBe(16)
    await expect(walker.walk(job!)).resolves.toEqual(await walkScope(job!))
    await walker.close()
  })
})
