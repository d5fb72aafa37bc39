/**
 * Builds real data dirs for the CLI tests with the real backend and ops (the
 * same local embedder the CLI picks from a clean environment), then backdates
 * activity where a test needs old scopes.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { createFsBackend } from '../../../src/core/backend/index.js'
import { embedderFromEnv } from '../../../src/core/embeddings/index.js'
import { scopeFromArg } from '../../../src/core/keys.js'
import { addFiles } from '../../../src/ops/index.js'

export interface FixtureScope {
  key: string
  /** File name → content, written to a temp source dir and ingested with `addFiles`. */
  files: Record<string, string>
  /** Backdates `activity.json` to this instant. */
  lastActiveAt?: Date
}

export const DAY_MS = 86_400_000

export const buildDataDir = async (dataDir: string, scopes: FixtureScope[]): Promise<void> => {
  const sourceRoot = await fsp.mkdtemp(path.join(dataDir, '..', `${path.basename(dataDir)}-src-`))
  const backend = createFsBackend({ dataDir, embedder: embedderFromEnv({}) })
  try {
    for (const [index, fixture] of scopes.entries()) {
      const sourceDir = path.join(sourceRoot, String(index))
      await fsp.mkdir(sourceDir, { recursive: true })
      const paths: string[] = []
      for (const [name, content] of Object.entries(fixture.files)) {
        const file = path.join(sourceDir, name)
        await fsp.writeFile(file, content)
        paths.push(file)
      }
      await addFiles(backend, scopeFromArg(fixture.key), paths)
    }
  } finally {
    await backend.close()
    await fsp.rm(sourceRoot, { recursive: true, force: true })
  }
  for (const fixture of scopes) {
    if (fixture.lastActiveAt) await backdate(dataDir, fixture.key, fixture.lastActiveAt)
  }
}

/** Rewrites a scope's activity file as if it was last used at `at`. */
export const backdate = async (dataDir: string, key: string, at: Date): Promise<void> => {
  const scope = scopeFromArg(key)
  const vectorsDir = scope.kind === 'shared' ? path.join(dataDir, 'vectors', 'shared') : path.join(dataDir, 'vectors', 'isolated', scope.dir)
  const iso = at.toISOString()
  await fsp.writeFile(path.join(vectorsDir, 'activity.json'), `${JSON.stringify({ createdAt: iso, lastActiveAt: iso }, null, 2)}\n`)
}

/** A paragraph long enough to make a few chunks and to be found by a search for its words. */
export const text = (topic: string, sentences = 8): string =>
  Array.from({ length: sentences }, (_, i) => `This note ${i} is about ${topic}; ${topic} matters for ${topic} planning.`).join(' ')

/** Every file under `dir` with its size: equal snapshots mean nothing changed. */
export const snapshotTree = async (dir: string): Promise<Record<string, number>> => {
  const out: Record<string, number> = {}
  const walk = async (current: string): Promise<void> => {
    for (const entry of await fsp.readdir(current, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) await walk(full)
      else out[path.relative(dir, full)] = (await fsp.lstat(full)).size
    }
  }
  await walk(dir)
  return out
}
