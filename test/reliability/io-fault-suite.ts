/**
 * Attack 3 (I/O errors): ENOSPC, EIO and EACCES injected at each fs call of
 * ingestion (store saves), migrate (rename, merge, copy), cleanup and
 * compaction, in process through `setFaultInjector`. Each run must end in
 * success or a typed error (a BentoError, or an errno error the CLI and server
 * map to io_error) — and nothing half-written: after the fault is gone the next
 * command finishes or rolls back, every store loads, `inspect --verify` passes
 * and no acknowledged document is lost or doubled.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import { isBentoError, toBentoError } from '../../src/core/errors.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { errnoError, setFaultInjector } from '../../src/core/faults.js'
import { scopeFromArg } from '../../src/core/keys.js'
import { removeDocumentFiles } from '../../src/core/ingest/pipeline.js'
import { addFiles, applyCleanup, applyMigrate, planCleanup, planMigrate, recoverPendingOperations } from '../../src/ops/index.js'
import { runCli } from './support/cli-in-process.js'
import { CLI_ENV, createCrashCases, expectJournalDrained, readState, type CrashCases } from './support/crash-cases.js'
import { record } from './support/figures.js'
import { childArgs, touchedDirs, CRASH_OPS, expectRecovered, isOnlyUnackedOrphans, type CrashOp } from './crash-sweep-suite.js'

const embedder = createLocalEmbedder({ dimension: 32 })
const ERRNOS = ['ENOSPC', 'EIO', 'EACCES'] as const

/** The same operations as fixtures/crash-op.mjs, in this process; resolves with what was acknowledged. */
export const runOperation = async (op: CrashOp, dataDir: string, inputDir: string): Promise<string[]> => {
  const [, kind, a, b] = childArgs(op, dataDir, inputDir)
  const backend = createFsBackend({ dataDir, embedder, activityCoalesceMs: 0 })
  const acks: string[] = []
  try {
    await recoverPendingOperations(backend)
    if (kind === 'ingest') {
      for (const name of (await readdir(inputDir)).sort()) {
        const result = await addFiles(backend, scopeFromArg(a), [path.join(inputDir, name)])
        acks.push(...result.documents.map((doc) => doc.id))
      }
    } else if (kind === 'migrate' || kind === 'copy') {
      const plan = await planMigrate(backend, { from: scopeFromArg(a), to: scopeFromArg(b), copy: kind === 'copy' })
      await applyMigrate(backend, plan)
      acks.push(`migrate ${plan.mode}`)
    } else if (kind === 'cleanup') {
      const result = await applyCleanup(backend, await planCleanup(backend, { olderThanMs: 0, scopes: [scopeFromArg(a)] }))
      acks.push(`cleanup ${result.removed.length}`)
    } else {
      const scope = scopeFromArg(a)
      await backend.withStore(scope, async (store) => {
        const [first] = store.listDocuments()
        // As DELETE /api/documents/:id does: the upload, then the chunks.
        await removeDocumentFiles(backend.layout.uploadsDir(scope), first!.id)
        await store.deleteDocument(first!.id)
        acks.push(`delete ${first!.id}`)
        await store.compact()
      }, { write: true })
      acks.push('compact')
    }
  } catch (error) {
    ;(error as { acks?: string[] }).acks = acks
    throw error
  } finally {
    setFaultInjector(undefined)
    await backend.close().catch(() => {})
  }
  return acks
}

export interface IoFaultOptions {
  name: string
  /** Inject at every n-th fs call (1 = every call), each errno at each point when `allErrnos`. */
  stride: number
  allErrnos: boolean
}

export const defineIoFaultSuite = (options: IoFaultOptions): void => {
  let cases: CrashCases
  const tally = { cases: 0, failedTyped: 0, succeeded: 0, orphans: 0, journalTemps: 0, calls: {} as Record<string, number>, byErrno: {} as Record<string, number> }

  beforeAll(async () => {
    cases = await createCrashCases('bento-io-faults-')
  }, 120_000)

  afterAll(async () => {
    await record(options.name, tally)
    await cases?.arena.dispose()
  })

  const runCase = async (op: CrashOp, at: number, errno: string) => {
    const dataDir = await cases.freshDataDir()
    const what = `${op} with ${errno} at fs call ${at}`
    let n = 0
    let injected = false
    setFaultInjector((call, p) => {
      if (++n !== at) return undefined
      injected = true
      return errnoError(errno, call, p)
    })
    let acks: string[]
    try {
      acks = await runOperation(op, dataDir, cases.inputDir)
      tally.succeeded++
    } catch (error) {
      acks = (error as { acks?: string[] }).acks ?? []
      const errnoShaped = typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string'
      expect(isBentoError(error) || errnoShaped, `${what}: untyped ${String(error)}`).toBe(true)
      expect(toBentoError(error, 'x').code, what).not.toBe('internal')
      tally.failedTyped++
    }
    // The activity write is coalesced on a timer: on a loaded machine it can land after the fault
    // injector is removed, so a faulted run may make fewer calls than the counting run did.
    expect(injected || n < at, `${what}: the fault was never reached (${n} calls)`).toBe(true)
    const after = await readState(dataDir).catch((error: unknown) => { throw new Error(`${what}: ${String(error)}`) })
    await expectJournalDrained(dataDir, what, tally)
    for (const dir of Object.keys(after).filter((name) => touchedDirs(op).includes(name))) {
      const inspect = await runCli(['inspect', dir, '--verify', '--json', '--data-dir', dataDir], CLI_ENV)
      if (inspect.code !== 0 && op === 'ingest' && isOnlyUnackedOrphans(inspect.stdout, acks)) tally.orphans++
      else expect(inspect.code, `${what}: inspect --verify ${dir}: ${JSON.stringify((JSON.parse(inspect.stdout || "{}") as { problems?: unknown }).problems)} ${inspect.stderr}`).toBe(0)
    }
    expectRecovered(op, cases.before, after, acks, what)
    tally.cases++
    tally.byErrno[errno] = (tally.byErrno[errno] ?? 0) + 1
  }

  describe('fault: ENOSPC, EIO and EACCES at each fs call', () => {
    it.each(CRASH_OPS)('%s: a typed error or success, and nothing half-written', async (op) => {
      const dataDir = await cases.freshDataDir()
      let calls = 0
      setFaultInjector(() => void calls++)
      await runOperation(op, dataDir, cases.inputDir)
      tally.calls[op] = calls
      expect(calls).toBeGreaterThan(10)
      for (let at = 1; at <= calls; at += options.stride) {
        const errnos = options.allErrnos ? ERRNOS : [ERRNOS[at % ERRNOS.length]!]
        for (const errno of errnos) await runCase(op, at, errno)
      }
    }, 120_000)
  })
}
