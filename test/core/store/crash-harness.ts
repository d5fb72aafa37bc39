/**
 * Runs fixtures/crash-writer.mjs in a child process armed to SIGKILL itself, then
 * checks the store it leaves: it must open, and hold exactly the documents of the
 * last completed commit or of the interrupted one (never a mix, never corrupt).
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { openStore } from '../../../src/core/store/index.js'
import { makeTempDir, removeDir } from './support.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const WRITER = path.join(here, 'fixtures', 'crash-writer.mjs')
const DIST = path.join(here, '..', '..', '..', 'dist', 'core', 'store', 'index.js')
const DIM = 8
const vectorFor = (doc: number, chunkIndex: number) => Array.from({ length: DIM }, (_, j) => Math.sin(doc * 7.1 + chunkIndex * 3.3 + j * 1.7))

export const assertBuilt = (): void => {
  if (!existsSync(DIST)) throw new Error('The crash tests run the compiled store: run `npm run build` first (`npm test` does).')
}

export interface CrashCase {
  /** Documents committed (in-process) before the child starts. */
  prefill: number
  /** Documents the child tries to add, one commit each. */
  adds: number
  env: Record<string, string>
  /** How the child writes: `full` rewrites the base files, `log` appends, `compact` appends then folds. Default `full`. */
  mode?: 'full' | 'log' | 'compact'
}

export interface CrashOutcome {
  killed: boolean
  committed: number
  /** Whether the interrupted commit is visible after recovery. */
  landed: boolean
  /** Whether the base files hold every document (nothing left in the commit log) when the child stopped. */
  folded: boolean
}

const runWriter = (dir: string, first: number, count: number, env: Record<string, string>) =>
  new Promise<{ stdout: string; signal: NodeJS.Signals | null; code: number | null; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [WRITER, dir, String(first), String(count)], { env: { ...process.env, BENTO_TEST_FAULTS: '1', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, signal: child.signalCode, code: child.exitCode ?? (error as { code?: number } | null)?.code ?? null })
    })
  })

const docIds = (n: number) => Array.from({ length: n }, (_, i) => `doc-${i}`).sort()

export const runCrashCase = async ({ prefill, adds, env, mode = 'full' }: CrashCase): Promise<CrashOutcome> => {
  const root = await makeTempDir('bento-crash-')
  const dir = path.join(root, 'store')
  try {
    if (prefill > 0) {
      const store = await openStore({ dir, dimension: DIM, embedderId: 'crash:8', initialCapacity: 4, appendLog: mode !== 'full' })
      for (let doc = 0; doc < prefill; doc++) {
        await store.add([0, 1].map((chunkIndex) => ({ documentId: `doc-${doc}`, title: `Document ${doc}`, text: `doc-${doc} chunk ${chunkIndex} `.repeat(20), chunkIndex, vector: vectorFor(doc, chunkIndex) })))
      }
      await store.close()
    }
    const result = await runWriter(dir, prefill, adds, { CRASH_WRITER_MODE: mode, ...env })
    const killed = result.signal === 'SIGKILL'
    if (!killed) expect(result.code, `writer failed: ${result.stderr}`).toBe(0)
    const committed = prefill + result.stdout.split('\n').filter((line) => line.startsWith('committed ')).length

    const store = await openStore({ dir, dimension: DIM, embedderId: 'crash:8' })
    const folded = store.logStats().records === 0
    const found = store.listDocuments().map((d) => d.id).sort()
    const before = docIds(committed)
    const after = docIds(Math.min(committed + 1, prefill + adds))
    expect([before, after], `documents after a crash (${JSON.stringify(env)})`).toContainEqual(found)
    if (!killed) expect(found).toEqual(docIds(prefill + adds))
    for (const doc of store.listDocuments()) expect(doc.chunks).toBe(2)
    const n = found.length
    expect(store.stats()).toMatchObject({ live: 2 * n, deleted: 0 })
    for (let doc = 0; doc < n; doc++) {
      const [hit] = await store.search(vectorFor(doc, 1), 1)
      expect(hit).toMatchObject({ documentId: `doc-${doc}`, chunkIndex: 1 })
    }
    // The lexical index is of the same version: exactly the live passages, no more, no fewer.
    expect(store.stats().lexical).toBe(true)
    expect(((await store.searchLexical('chunk', 1000)) ?? []).length).toBe(2 * n)
    // The next writer finishes or discards the interrupted commit and carries on.
    await store.add([{ documentId: 'after-crash', title: 't', text: 'x', chunkIndex: 0, vector: vectorFor(999, 0) }])
    await store.close()
    const leftovers = (await readdir(dir)).filter((name) => name.startsWith('.') || name === 'commit.journal')
    expect(leftovers).toEqual([])
    const reopened = await openStore({ dir, create: false })
    expect(reopened.stats().live).toBe(2 * n + 1)
    await reopened.close()
    return { killed, committed, landed: n > committed, folded }
  } finally {
    await removeDir(root)
  }
}

export const CRASH_POINTS = [
  'store.commit.after-temp-files',
  'store.commit.after-journal',
  'store.commit.rename',
  'store.commit.after-renames',
  'store.commit.after-journal-removed',
]

/** Steps of a log append (log-file.ts, commit.ts `applyManifest`) and of a compaction beyond the full commit's. */
export const APPEND_CRASH_POINTS = ['store.append.after-log', 'store.append.after-manifest']
export const COMPACT_CRASH_POINTS = [...CRASH_POINTS, 'store.compact.after-log-removed']

/** Runs cases a few at a time: each is mostly waiting on fsync and process start. */
export const runCrashCases = async (cases: CrashCase[], concurrency = 4): Promise<CrashOutcome[]> => {
  const outcomes: CrashOutcome[] = new Array(cases.length)
  let next = 0
  const worker = async () => {
    while (next < cases.length) {
      const i = next++
      outcomes[i] = await runCrashCase(cases[i]!)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return outcomes
}
