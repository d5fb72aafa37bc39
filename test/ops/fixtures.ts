/**
 * Shared helpers for the operation tests: a real backend on a temp data dir,
 * real files to ingest, and tree snapshots to prove what changed and what did not.
 */
import { createHash } from 'node:crypto'
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createFsBackend } from '../../src/core/backend/index.js'
import type { StorageBackend } from '../../src/core/backend/types.js'
import type { Embedder } from '../../src/core/embeddings/types.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import type { Scope } from '../../src/core/keys.js'
import { addFiles } from '../../src/ops/add.js'

export const openBackend = (dataDir: string, embedder: Embedder = createLocalEmbedder({ dimension: 64 })): StorageBackend =>
  createFsBackend({ dataDir, embedder, activityCoalesceMs: 0 })

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
export const snapshotTree = async (root: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  const walk = async (dir: string) => {
    let names: string[]
    try {
      names = await readdir(dir)
    } catch {
      return
    }
    for (const name of names) {
      const full = path.join(dir, name)
      const rel = path.relative(root, full)
      const stats = await lstat(full)
      if (stats.isSymbolicLink()) out[rel] = `->${await readlink(full)}`
      else if (stats.isDirectory()) {
        out[rel] = '/'
        await walk(full)
      } else out[rel] = createHash('sha256').update(await readFile(full)).digest('hex')
    }
  }
  await walk(root)
  return out
}

export const documentIds = (backend: StorageBackend, scope: Scope): Promise<string[]> =>
  backend.withStore(scope, async (store) => store.listDocuments().map((doc) => doc.id).sort())

export const chunkTexts = (backend: StorageBackend, scope: Scope): Promise<string[]> =>
  backend.withStore(scope, async (store) => (await store.exportChunks()).map((c) => `${c.documentId}#${c.chunkIndex}:${c.text}`).sort())

export const LONG_TEXT = (topic: string, n = 30) =>
  Array.from({ length: n }, (_, i) => `${topic} paragraph ${i}: the ${topic} subsystem stores vectors, files and notes for sentence ${i}.`).join('\n\n')
