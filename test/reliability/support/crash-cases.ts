/**
 * The data dir the crash sweep and the I/O-fault suite run their cases on: a
 * template with one scope per operation, built once in an arena and copied
 * fresh for every case, what its scopes hold (`readState`), and the first
 * check after a case (no journal entry left).
 */
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { expect } from 'vitest'
import { createFsBackend } from '../../../src/core/backend/index.js'
import { createLocalEmbedder } from '../../../src/core/embeddings/index.js'
import { isTempName } from '../../../src/core/fs.js'
import { customScope, scopeFromArg, sessionScope } from '../../../src/core/keys.js'
import { createLayout } from '../../../src/core/layout.js'
import { addTexts, LONG_TEXT } from '../../ops/fixtures.js'
import { createArena, type Arena } from './arena.js'
import { runCli } from './cli-in-process.js'

const embedder = createLocalEmbedder({ dimension: 32 })

export const CLI_ENV = { BENTO_EMBEDDER: 'local', BENTO_EMBEDDINGS_DIMENSION: '32' }

export const SRC = customScope('src-user')
export const FULL = customScope('full-user')
export const VICTIM = sessionScope('c'.repeat(32))
export const COMPACT = customScope('compact-user')
export const INGEST = customScope('ingest-user')

/** Documents of every scope: `scope dir → docId → chunks`. */
export type State = Record<string, Record<string, number>>

export const readState = async (dataDir: string): Promise<State> => {
  // The next write command finishes journaled work (read-only ones only report it): a cleanup that removes nothing.
  const write = await runCli(['cleanup', '--older-than', '3650d', '--yes', '--json', '--data-dir', dataDir], CLI_ENV)
  expect(write.code, write.stderr).toBe(0)
  expect(JSON.parse(write.stdout)).toMatchObject({ removed: [] })
  const ls = await runCli(['ls', '--json', '--data-dir', dataDir], CLI_ENV)
  expect(ls.code, ls.stderr).toBe(0)
  const backend = createFsBackend({ dataDir, embedder })
  const state: State = {}
  try {
    for (const row of (JSON.parse(ls.stdout) as { scopes: Array<{ key: string; dir: string }> }).scopes) {
      const scope = scopeFromArg(row.dir)
      state[row.dir] = await backend.withStore(scope, async (store) => Object.fromEntries(store.listDocuments().map((doc) => [doc.id, doc.chunks])))
      // The memory store loads too, when there is one.
      await backend.withStore(scope, async (store) => store.stats(), { part: 'memory' })
    }
  } finally {
    await backend.close()
  }
  return state
}

/** A data dir with a scope for each operation to work on; returns the dir of files `ingest` adds. */
const buildTemplate = async (template: string, base: string): Promise<string> => {
  const backend = createFsBackend({ dataDir: template, embedder, activityCoalesceMs: 0 })
  const input = path.join(base, 'seed')
  await addTexts(backend, SRC, path.join(input, 'src'), { 'a.md': LONG_TEXT('alpha'), 'b.txt': 'bravo text', 'c.txt': LONG_TEXT('charlie', 8) })
  await addTexts(backend, FULL, path.join(input, 'full'), { 'd.md': LONG_TEXT('delta', 10) })
  await addTexts(backend, VICTIM, path.join(input, 'victim'), { 'e.txt': 'echo', 'f.md': LONG_TEXT('foxtrot', 5) })
  await addTexts(backend, COMPACT, path.join(input, 'compact'), { 'g.txt': LONG_TEXT('golf', 12), 'h.txt': 'hotel', 'i.md': LONG_TEXT('india', 6) })
  await addTexts(backend, INGEST, path.join(input, 'ingest'), { 'j.txt': 'juliet was here first' })
  await backend.close()
  const old = new Date(Date.now() - 48 * 3600_000).toISOString()
  await writeFile(createLayout(template).activityFile(VICTIM), JSON.stringify({ createdAt: old, lastActiveAt: old }))
  const inputDir = path.join(base, 'ingest-input')
  await mkdir(inputDir, { recursive: true })
  for (const [name, text] of Object.entries({ 'k.md': LONG_TEXT('kilo', 20), 'l.txt': 'lima', 'm.md': LONG_TEXT('mike', 9) })) await writeFile(path.join(inputDir, name), text)
  return inputDir
}

export interface CrashCases {
  /** Holds the template and every case's data dir; `arena.dispose()` removes them all. */
  arena: Arena
  /** The files the ingest operation adds. */
  inputDir: string
  /** What the template's scopes hold, so what every case starts from. */
  before: State
  /** A new copy of the template under the arena's data dir. */
  freshDataDir(): Promise<string>
}

export const createCrashCases = async (prefix: string): Promise<CrashCases> => {
  const arena = await createArena(prefix)
  const template = path.join(arena.base, 'template')
  const inputDir = await buildTemplate(template, arena.base)
  const before = await readState(template)
  let caseNo = 0
  const freshDataDir = async () => {
    const dataDir = path.join(arena.dataDir, `case-${caseNo++}`)
    await cp(template, dataDir, { recursive: true })
    return dataDir
  }
  return { arena, inputDir, before, freshDataDir }
}

/** No journal entry may outlive a case (it was completed or rolled back); temp files of intent writes are counted in `tally`. */
export const expectJournalDrained = async (dataDir: string, what: string, tally: { journalTemps: number }): Promise<void> => {
  // A kill inside an atomic intent write can leave its temp file: readers skip temp names; recovery sweeps it only after a
  // grace period (it may be a live write), which these fresh ones are within, so they are counted here (see RELIABILITY.md).
  const journal = await readdir(path.join(dataDir, '.bento', 'journal')).catch(() => [] as string[])
  tally.journalTemps += journal.filter((name) => isTempName(name)).length
  expect(journal.filter((name) => !isTempName(name)), `${what}: journal left`).toEqual([])
}
