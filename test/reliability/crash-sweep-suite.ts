/**
 * Attack 3 (crashes): a real child process running an operation on the
 * compiled code is SIGKILLed at a random fs call, or at a named step, during
 * store saves (ingest), upload ingestion, migrate (rename, merge, copy),
 * cleanup and compaction. After each kill the next CLI command runs, and:
 * every scope's store loads, `bento inspect --verify` passes for every scope,
 * no journal entry is left (the migrate was completed or rolled back), and no
 * acknowledged document is lost or duplicated.
 */
import { execFile } from 'node:child_process'
import { cp, readdir, rm, utimes } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STALE_MS } from '../../src/core/lock.js'
import { runCli } from './support/cli-in-process.js'
import { CLI_ENV, COMPACT, createCrashCases, expectJournalDrained, FULL, INGEST, readState, SRC, VICTIM, type CrashCases, type State } from './support/crash-cases.js'
import { record } from './support/figures.js'
import { seededRandom } from '../helpers/hostile-keys.js'

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-op.mjs')
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DIST_ENV: Record<string, string> = {}
const snapshots: string[] = []

export type CrashOp = 'ingest' | 'migrate-rename' | 'migrate-merge' | 'migrate-copy' | 'cleanup' | 'compact'
export const CRASH_OPS: CrashOp[] = ['ingest', 'migrate-rename', 'migrate-merge', 'migrate-copy', 'cleanup', 'compact']

/** Named steps each operation passes through. */
export const NAMED_STEPS: Record<CrashOp, string[]> = {
  // The scope's first file commits its base files; each later file appends to the commit log.
  ingest: ['ingest.after-upload', 'store.commit.after-temp-files', 'store.commit.after-journal', 'store.commit.rename', 'store.commit.after-renames', 'store.commit.after-journal-removed', 'store.append.after-log', 'store.append.after-manifest'],
  'migrate-rename': ['migrate:after-intent', 'migrate:after-clear-vectors', 'migrate:after-rename-vectors', 'migrate:after-clear-uploads', 'migrate:after-rename-uploads'],
  'migrate-merge': ['migrate:after-intent', 'migrate-merge:after-add-documents', 'migrate-merge:before-merged', 'migrate-merge:after-trash-vectors', 'migrate-merge:after-trash-uploads', 'store.commit.after-journal', 'store.commit.after-renames'],
  'migrate-copy': ['migrate:after-intent', 'migrate:after-stage-vectors', 'migrate:after-rename-vectors', 'migrate:after-stage-uploads', 'migrate:after-rename-uploads'],
  cleanup: ['cleanup:after-intent', 'cleanup:after-trash-vectors', 'cleanup:after-trash-uploads', 'cleanup:after-trash'],
  // The delete appends to the commit log; the compaction folds it into the base files and drops the log.
  compact: ['store.commit.after-temp-files', 'store.commit.after-journal', 'store.commit.rename', 'store.commit.after-renames', 'store.commit.after-journal-removed', 'store.append.after-log', 'store.append.after-manifest', 'store.compact.after-log-removed'],
}

export const childArgs = (op: CrashOp, dataDir: string, inputDir: string): string[] => {
  switch (op) {
    case 'ingest': return [dataDir, 'ingest', INGEST.key, '', inputDir]
    case 'migrate-rename': return [dataDir, 'migrate', SRC.key, 'dest-user']
    case 'migrate-merge': return [dataDir, 'migrate', SRC.key, FULL.dir]
    case 'migrate-copy': return [dataDir, 'copy', SRC.key, 'copy-user']
    case 'cleanup': return [dataDir, 'cleanup', VICTIM.dir]
    case 'compact': return [dataDir, 'compact', COMPACT.dir]
  }
}

interface ChildRun {
  signal: NodeJS.Signals | null
  code: number | null
  stdout: string
  stderr: string
}

export const runChild = (args: string[], env: Record<string, string>): Promise<ChildRun> =>
  new Promise((resolve) => {
    const child = execFile(process.execPath, [CHILD, ...args], { env: { ...process.env, BENTO_TEST_FAULTS: '1', ...env }, timeout: 120_000 }, (_error, stdout, stderr) => {
      resolve({ signal: child.signalCode, code: child.exitCode, stdout, stderr })
    })
  })

/** The scopes an operation touches: the ones `inspect --verify` checks after it (the rest are compared unchanged). */
export const touchedDirs = (op: CrashOp): string[] => {
  switch (op) {
    case 'ingest': return [INGEST.dir]
    case 'migrate-rename': return [SRC.dir, 'dest-user']
    case 'migrate-merge': return [SRC.dir, FULL.dir]
    case 'migrate-copy': return [SRC.dir, 'copy-user']
    case 'cleanup': return [VICTIM.dir]
    case 'compact': return [COMPACT.dir]
  }
}

export const isOnlyUnackedOrphans = (json: string, acks: string[]): boolean => {
  const report = JSON.parse(json) as { problems: string[] }
  return report.problems.length > 0 && report.problems.every((problem) => {
    const id = /^uploads: (doc_[0-9a-f]{24})\/ belongs to no document \(orphan\)$/.exec(problem)?.[1]
    return id !== undefined && !acks.includes(id)
  })
}

/** The delete's window (upload first, then chunks): one unacknowledged deleted document whose original is gone. */
export const isOnlyHalfDeleted = (json: string, acks: string[]): boolean => {
  const report = JSON.parse(json) as { problems: string[] }
  return report.problems.length === 1 && report.problems.every((problem) => {
    const id = /^uploads: document (doc_[0-9a-f]{24}) \(.+\) has no original upload$/.exec(problem)?.[1]
    return id !== undefined && !acks.includes(`delete ${id}`)
  })
}

export const ageLocks = async (dataDir: string) => {
  const locks = path.join(dataDir, '.bento', 'locks')
  const old = new Date(Date.now() - STALE_MS - 2000)
  for (const name of await readdir(locks).catch(() => [] as string[])) await utimes(path.join(locks, name), old, old)
}

const union = (...maps: Array<Record<string, number> | undefined>): Record<string, number> => Object.assign({}, ...maps.filter(Boolean))

/** What must hold after the crash and the next command, per operation. */
export const expectRecovered = (op: CrashOp, before: State, after: State, acks: string[], what: string): void => {
  const unchanged = (key: string) => expect(after[key], `${what}: ${key} untouched`).toEqual(before[key])
  switch (op) {
    case 'ingest': {
      const docs = after[INGEST.dir] ?? {}
      for (const [id, chunks] of Object.entries(before[INGEST.dir]!)) expect(docs[id], `${what}: pre-existing ${id}`).toBe(chunks)
      for (const id of acks) expect(docs[id], `${what}: acknowledged ${id} lost`).toBeGreaterThan(0)
      expect(Object.keys(docs).length).toBeLessThanOrEqual(Object.keys(before[INGEST.dir]!).length + 3)
      for (const key of [SRC.dir, FULL.dir, COMPACT.dir]) unchanged(key)
      return
    }
    case 'migrate-rename':
    case 'migrate-merge':
    case 'migrate-copy': {
      const target = op === 'migrate-rename' ? 'dest-user' : op === 'migrate-merge' ? FULL.dir : 'copy-user'
      const completed = union(before[target], before[SRC.dir])
      const rolledBack = after[SRC.dir] !== undefined && JSON.stringify(after[target] ?? {}) === JSON.stringify(before[target] ?? {})
      if (acks.length > 0 || !rolledBack) {
        expect(after[target], `${what}: target holds every document once`).toEqual(completed)
        if (op === 'migrate-copy') expect(after[SRC.dir], `${what}: copy keeps the source`).toEqual(before[SRC.dir])
        else expect(after[SRC.dir], `${what}: source removed`).toBeUndefined()
      } else {
        expect(after[SRC.dir], `${what}: rolled back source`).toEqual(before[SRC.dir])
      }
      return
    }
    case 'cleanup': {
      if (acks.length > 0) expect(after[VICTIM.dir]).toBeUndefined()
      else if (after[VICTIM.dir] !== undefined) expect(after[VICTIM.dir], `${what}: a half-removed scope`).toEqual(before[VICTIM.dir])
      for (const key of [SRC.dir, FULL.dir, COMPACT.dir, INGEST.dir]) unchanged(key)
      return
    }
    case 'compact': {
      const docs = after[COMPACT.dir]!
      const deleted = /ack delete (\S+)/.exec(acks.join('\n'))?.[1]
      const all = before[COMPACT.dir]!
      const without = Object.fromEntries(Object.entries(all).filter(([id]) => id !== Object.keys(all).sort()[0] && id !== deleted))
      if (deleted) expect(docs, `${what}: acknowledged delete`).toEqual(Object.fromEntries(Object.entries(all).filter(([id]) => id !== deleted)))
      else expect([JSON.stringify(all), JSON.stringify(without)].includes(JSON.stringify(docs)) || Object.keys(all).length - Object.keys(docs).length === 1, `${what}: ${JSON.stringify(docs)}`).toBe(true)
      return
    }
  }
}

export interface CrashSweepOptions {
  name: string
  /** Random fs-call kill points per operation. */
  randomPerOp: number
  /** Named steps per operation: every one, the first, or none (random kill points only). */
  namedSteps: 'all' | 'first' | 'none'
  concurrency: number
}

export const defineCrashSweep = (options: CrashSweepOptions): void => {
  let cases: CrashCases
  const calls: Partial<Record<CrashOp, number>> = {}
  const tally = { cases: 0, killed: 0, finished: 0, verified: 0, orphans: 0, halfDeleted: 0, journalTemps: 0, byOp: {} as Record<string, number> }

  beforeAll(async () => {
    // Children run a snapshot of dist/ (inside node_modules/.cache so packages still resolve):
    // other work rebuilding the tree during a long sweep must not hand a child half of a new build.
    const snapshot = path.join(REPO, 'node_modules', '.cache', `bento-dist-${process.pid}-${Date.now()}`)
    await cp(path.join(REPO, 'dist'), snapshot, { recursive: true })
    DIST_ENV.BENTO_DIST = snapshot
    snapshots.push(snapshot)
    cases = await createCrashCases('bento-crash-sweep-')
    for (const op of CRASH_OPS) {
      const dataDir = await cases.freshDataDir()
      const run = await runChild(childArgs(op, dataDir, cases.inputDir), { CALIBRATE: '1', ...DIST_ENV })
      expect(run.code, run.stderr).toBe(0)
      calls[op] = Number(/calls (\d+)/.exec(run.stdout)?.[1])
    }
  }, 300_000)

  afterAll(async () => {
    for (const snapshot of snapshots.splice(0)) await rm(snapshot, { recursive: true, force: true })
    await record(options.name, { ...tally, calls })
    await cases?.arena.dispose()
  })

  const runCase = async (op: CrashOp, env: Record<string, string>) => {
    const dataDir = await cases.freshDataDir()
    const what = `${op} ${JSON.stringify(env)}`
    const run = await runChild(childArgs(op, dataDir, cases.inputDir), { ...env, ...DIST_ENV })
    const killed = run.signal === 'SIGKILL'
    if (!killed) expect(run.code, `${what}: ${run.stderr}`).toBe(0)
    const acks = run.stdout.split('\n').filter((line) => line.startsWith('ack ')).map((line) => line.slice(4))
    await ageLocks(dataDir)
    // The next write command (it finishes journaled work first), then a verify of every scope.
    const after = await readState(dataDir)
    await expectJournalDrained(dataDir, what, tally)
    for (const dir of Object.keys(after).filter((name) => touchedDirs(op).includes(name))) {
      const inspect = await runCli(['inspect', dir, '--verify', '--json', '--data-dir', dataDir], CLI_ENV)
      if (inspect.code !== 0 && op === 'ingest' && dir === INGEST.dir && isOnlyUnackedOrphans(inspect.stdout, acks)) {
        // Killed between writing the upload and committing its chunks (the pipeline's documented window):
        // inspect names the orphan; the retry of the same upload repairs it.
        tally.orphans++
        const retry = await runChild(childArgs(op, dataDir, cases.inputDir), DIST_ENV)
        expect(retry.code, retry.stderr).toBe(0)
        const again = await runCli(['inspect', dir, '--verify', '--json', '--data-dir', dataDir], CLI_ENV)
        expect(again.code, `${what}: after the retry: ${again.stdout.slice(0, 600)}`).toBe(0)
      } else if (inspect.code !== 0 && op === 'compact' && dir === COMPACT.dir && isOnlyHalfDeleted(inspect.stdout, acks)) {
        // Killed between removing a document's upload and deleting its chunks (the delete's documented
        // order): inspect names the document; the retry of the delete finishes it.
        tally.halfDeleted++
        const retry = await runChild(childArgs(op, dataDir, cases.inputDir), DIST_ENV)
        expect(retry.code, retry.stderr).toBe(0)
        const again = await runCli(['inspect', dir, '--verify', '--json', '--data-dir', dataDir], CLI_ENV)
        expect(again.code, `${what}: after the retry: ${again.stdout.slice(0, 600)}`).toBe(0)
      } else {
        expect(inspect.code, `${what}: inspect --verify ${dir}: ${inspect.stdout.slice(0, 600)} ${inspect.stderr}`).toBe(0)
      }
      tally.verified++
    }
    expectRecovered(op, cases.before, after, acks, what)
    tally.cases++
    tally.byOp[op] = (tally.byOp[op] ?? 0) + 1
    if (killed) tally.killed++
    else tally.finished++
  }

  const runAll = async (cases: Array<[CrashOp, Record<string, string>]>) => {
    let next = 0
    const worker = async () => {
      while (next < cases.length) {
        const [op, env] = cases[next++]!
        await runCase(op, env)
      }
    }
    await Promise.all(Array.from({ length: options.concurrency }, worker))
  }

  describe('crash: SIGKILL during every mutating operation', () => {
    it.each(CRASH_OPS)('%s: killed at random fs calls, the next command recovers with nothing lost or doubled', async (op) => {
      const random = seededRandom(op.length * 7919 + options.randomPerOp)
      const total = calls[op]!
      expect(total).toBeGreaterThan(10)
      const points = Array.from({ length: options.randomPerOp }, () => 1 + Math.floor(random() * total))
      await runAll(points.map((n) => [op, { BENTO_CRASH_AFTER_OPS: String(n) }]))
    })

    if (options.namedSteps !== 'none') {
      it.each(CRASH_OPS)('%s: killed at each named step, the next command recovers', async (op) => {
        const steps = options.namedSteps === 'all' ? NAMED_STEPS[op] : NAMED_STEPS[op].slice(0, 1)
        await runAll(steps.map((step) => [op, { BENTO_CRASH_AT: step }]))
      })
    }
  })
}
