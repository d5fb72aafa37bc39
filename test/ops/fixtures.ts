/**
 * Shared helpers for the operation tests: a real backend on a temp data dir,
 * real files to ingest, and tree snapshots to prove what changed and what did not.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, expect } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import type { StorageBackend } from '../../src/core/backend/types.js'
import type { Embedder } from '../../src/core/embeddings/types.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import type { Scope } from '../../src/core/keys.js'
import type { Layout } from '../../src/core/layout.js'
import { addFiles } from '../../src/ops/add.js'
import { diskUsage } from '../../src/ops/du.js'
import { mapTree } from '../helpers/map-tree.js'
import { useTempDirs } from '../helpers/temp-dir.js'

export const openBackend = (dataDir: string, embedder: Embedder = createLocalEmbedder({ dimension: 64 })): StorageBackend =>
  createFsBackend({ dataDir, embedder, activityCoalesceMs: 0 })

/** A backend on its own temp data dir, with a temp dir for the files a test adds. */
export interface BackendFixture {
  root: string
  backend: StorageBackend
  layout: Layout
  input: string
  /** Writes the files into a new folder under `input` and adds them to the scope; returns document ids by file name. */
  add: (scope: Scope, files: Record<string, string>) => Promise<Record<string, string>>
}

/**
 * Temp dirs and backends for one test file, all closed and removed after the test that made them:
 * `tempDir()` a fresh dir, `backendAt(dir)` a backend on it, `freshBackend()` both plus an input dir.
 * Backends close before their dirs are removed (after-hooks run in reverse order).
 */
export const useBackendFixtures = () => {
  const tempDir = useTempDirs()
  const open: StorageBackend[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((backend) => backend.close()))
  })
  const backendAt = (dataDir: string, embedder?: Embedder): StorageBackend => {
    const backend = openBackend(dataDir, embedder)
    open.push(backend)
    return backend
  }
  const freshBackend = async (): Promise<BackendFixture> => {
    const root = await tempDir()
    const backend = backendAt(root)
    const input = await tempDir('bento-input-')
    let batch = 0
    const add = (scope: Scope, files: Record<string, string>) => addTexts(backend, scope, path.join(input, String(batch++)), files)
    return { root, backend, layout: backend.layout, input, add }
  }
  return { tempDir, backendAt, freshBackend }
}

/** Writes text files into `dir` and adds them to the scope; returns their document ids by file name. */
export const addTexts = async (backend: StorageBackend, scope: Scope, inputDir: string, files: Record<string, string>): Promise<Record<string, string>> => {
  await mkdir(inputDir, { recursive: true })
  const paths: string[] = []
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(inputDir, name)
    await writeFile(file, text)
    paths.push(file)
  }
  const result = await addFiles(backend, scope, paths)
  return Object.fromEntries(result.documents.map((doc) => [path.basename(doc.source), doc.id]))
}

/** Every entry under `root` (relative path → sha256 of content, `->target` for links, `/` for dirs). */
export const snapshotTree = (root: string): Promise<Record<string, string>> =>
  mapTree(root, async (full, stats) =>
    stats.isSymbolicLink() ? `->${await readlink(full)}` :
    stats.isDirectory() ? '/' :
    createHash('sha256').update(await readFile(full)).digest('hex'))

export const documentIds = (backend: StorageBackend, scope: Scope): Promise<string[]> =>
  backend.withStore(scope, async (store) => store.listDocuments().map((doc) => doc.id).sort())

export const chunkTexts = (backend: StorageBackend, scope: Scope): Promise<string[]> =>
  backend.withStore(scope, async (store) => (await store.exportChunks()).map((c) => `${c.documentId}#${c.chunkIndex}:${c.text}`).sort())

export const LONG_TEXT = (topic: string, n = 30) =>
  Array.from({ length: n }, (_, i) => `${topic} paragraph ${i}: the ${topic} subsystem stores vectors, files and notes for sentence ${i}.`).join('\n\n')

/** `count` upload-only scopes `user-<i>` of `i % 97` bytes each: a data dir to scan at scale. */
export const plantUploadScopes = async (layout: Layout, count: number): Promise<void> => {
  await mkdir(layout.isolatedDir('uploads'), { recursive: true })
  // Sync calls: no promise queueing on libuv's 4 threads while building the fixture.
  for (let i = 0; i < count; i++) {
    const dir = path.join(layout.isolatedDir('uploads'), `user-${i}`)
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'f'), Buffer.alloc(i % 97))
  }
}

/** A top-5 `diskUsage` of `count` planted scopes keeps five of the largest (96 bytes) yet counts and reports progress over all. */
export const expectBoundedTopScan = async (backend: StorageBackend, count: number): Promise<void> => {
  const progress: number[] = []
  const result = await diskUsage(backend, { top: 5, onProgress: (p) => progress.push(p.done) })
  expect(result.scopeCount).toBe(count)
  expect(result.scopes).toHaveLength(5)
  expect(result.scopes.every((row) => row.totalBytes === 96)).toBe(true)
  expect(result.totalBytes).toBe(Array.from({ length: count }, (_, i) => i % 97).reduce((a, b) => a + b, 0))
  expect(progress.at(-1)).toBe(count)
}
