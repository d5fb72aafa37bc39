/**
 * Scope walks spread over walkers beside this thread: child processes by default,
 * worker threads if asked (`walk-channel.ts`). A walk is a few syscalls and a few
 * objects per file; GNU du does the same syscalls in C, so one JS thread is
 * slower than du on big trees (figures: docs/BENCHMARKS.md), and big trees walk
 * in several processes at once (the kernel side of the walk runs in parallel too).
 * Small trees never pay a walker's start-up: the first `inlineScopes` walks run
 * here, and this thread keeps walking while every walker has its fill.
 *
 * Walkers run the compiled `walk-worker.js`; from TypeScript sources (tests)
 * it does not exist and every walk runs here. So does every walk while a test
 * has armed a fault: an injector set in this thread is not seen in a walker.
 * A walker that dies hands its batches back: they are walked here.
 */
import { existsSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { walkProcessesFromEnv, walkThreadsFromEnv } from './env.js'
import { faultsArmed } from './faults.js'
import { walkScope } from './scope-walk.js'
import type { ScopeWalk, ScopeWalkJob } from './scope-walk.js'
import { openWalkChannel, WALK_WORKER_URL } from './walk-channel.js'
import type { WalkChannel, WalkChannelKind } from './walk-channel.js'
import { describeFailure } from './walk-worker.js'
import type { WalkFailure, WalkResponse } from './walk-worker.js'

export interface ScopeWalkerOptions {
  /** Child processes that walk beside this thread. Default: `BENTO_WALK_PROCESSES`, else one per further core, at most 3. */
  processes?: number
  /** Worker threads that walk beside this thread. Default: `BENTO_WALK_THREADS`, else 0. */
  threads?: number
  /** Walks done in this thread before any walker starts. Default 64 (one listing batch). */
  inlineScopes?: number
  /** How a walker is reached; tests replace it to make one fail. */
  openChannel?: typeof openWalkChannel
}

export interface ScopeWalker {
  walk(job: ScopeWalkJob): Promise<ScopeWalk>
  /** The walks of a batch (e.g. a `scanScopeBatches` batch), in its order: one message to a walker, no promise per scope. Rejects with the first failure. */
  walkBatch(jobs: ScopeWalkJob[]): Promise<ScopeWalk[]>
  /** Walks worth having in flight at once: enough to keep every walker busy. */
  readonly concurrency: number
  /** Batches worth having in flight at once (`walkBatch`): the walkers' fill and one for this thread. */
  readonly batchConcurrency: number
  /** Stops the walkers; walks still pending reject. */
  close(): Promise<void>
}

/** Jobs per message: few enough that a walker's answers come back steadily, enough to amortize a message. */
const JOBS_PER_MESSAGE = 32
const INLINE_CONCURRENCY = 16
const JOBS_IN_FLIGHT_PER_WALKER = 64
const BATCHES_IN_FLIGHT_PER_WALKER = 4
const MAX_DEFAULT_PROCESSES = 3

/**
 * Threads only if asked: on 10k small scopes, 1 or 2 worker threads beside this thread walked no faster
 * than this thread alone, for 15-30% more CPU; a second process walking at once does scale (figures:
 * docs/BENCHMARKS.md), but only into a free core: on a busy machine the split's extra CPU made the walk
 * slower. So by default, a process per core beyond this one's while the 1-minute load average leaves a
 * core free, none otherwise.
 */
const defaultProcesses = (): number => {
  const fromEnv = walkProcessesFromEnv(process.env)
  if (fromEnv !== undefined) return fromEnv
  const cores = availableParallelism()
  return loadavg()[0]! < cores - 0.5 ? Math.min(MAX_DEFAULT_PROCESSES, cores - 1) : 0
}
const defaultThreads = (): number => walkThreadsFromEnv(process.env) ?? 0

const walkersAvailable = (): boolean => existsSync(fileURLToPath(WALK_WORKER_URL)) && !faultsArmed()

const toError = (failure: WalkFailure): Error => Object.assign(new Error(failure.message), failure)

interface Pending {
  resolve(walk: ScopeWalk): void
  reject(error: unknown): void
}

/** A message's jobs awaiting their answers. */
interface Batch {
  jobs: ScopeWalkJob[]
  settle(results: WalkResponse['results']): void
  fail(error: unknown): void
}

interface Walker {
  channel: WalkChannel
  batches: Map<number, Batch>
  load: number
  alive: boolean
}

const walkInline = async (jobs: ScopeWalkJob[]): Promise<ScopeWalk[]> => {
  const walks: ScopeWalk[] = []
  for (const job of jobs) walks.push(await walkScope(job))
  return walks
}

/** A batch a walker could not answer, walked here with the answers a walker would have sent. */
const walkInlineResults = async (jobs: ScopeWalkJob[]): Promise<WalkResponse['results']> => {
  const results: WalkResponse['results'] = []
  for (const job of jobs) {
    try {
      results.push({ walk: await walkScope(job) })
    } catch (error) {
      results.push({ error: describeFailure(error) })
    }
  }
  return results
}

/**
 * @example
 * const walker = createScopeWalker()
 * try { await forEachConcurrent(scopes, walker.concurrency, async (s) => use(await walker.walk(jobOf(s)))) }
 * finally { await walker.close() }
 */
export const createScopeWalker = (options: ScopeWalkerOptions = {}): ScopeWalker => {
  const count = (n: number) => Math.max(0, Math.floor(n))
  const kinds: WalkChannelKind[] = walkersAvailable()
    ? [
        ...Array<WalkChannelKind>(count(options.processes ?? defaultProcesses())).fill('process'),
        ...Array<WalkChannelKind>(count(options.threads ?? defaultThreads())).fill('thread'),
      ]
    : []
  const openChannel = options.openChannel ?? openWalkChannel
  const inlineScopes = options.inlineScopes ?? 64
  const pooled = kinds.length > 0
  let walkers: Walker[] | undefined
  let closed = false
  let walked = 0
  let nextBatch = 0
  let queued: Array<{ job: ScopeWalkJob } & Pending> = []
  let flushScheduled = false
  let walkedHereSinceYield = 0

  // A walker that died hands its batches back: walked here, so a crash costs time, never an answer.
  const retire = (walker: Walker) => {
    walker.alive = false
    const orphans = [...walker.batches.values()]
    walker.batches.clear()
    walker.load = 0
    for (const batch of orphans) walkInlineResults(batch.jobs).then(batch.settle, batch.fail)
  }

  const startWalkers = (): Walker[] =>
    kinds.map((kind) => {
      const walker: Walker = { channel: { send() {}, close: async () => {} }, batches: new Map(), load: 0, alive: true }
      try {
        walker.channel = openChannel(kind, {
          response({ batch, results }) {
            const pending = walker.batches.get(batch)
            walker.batches.delete(batch)
            if (pending === undefined) return
            walker.load -= pending.jobs.length
            pending.settle(results)
          },
          failure: () => retire(walker),
        })
      } catch {
        // Could not start (no processes left, say): this thread walks its share.
        walker.alive = false
      }
      return walker
    })

  const live = (): Walker[] => (closed ? [] : (walkers ??= startWalkers()).filter((walker) => walker.alive))

  /** Sends a batch to the least loaded walker, or walks it here when none is left. */
  const post = (batch: Batch) => {
    const candidates = live()
    if (candidates.length === 0) {
      if (closed) batch.fail(new Error('walker closed'))
      else walkInlineResults(batch.jobs).then(batch.settle, batch.fail)
      return
    }
    const walker = candidates.reduce((least, candidate) => (candidate.load < least.load ? candidate : least))
    const id = nextBatch++
    walker.batches.set(id, batch)
    walker.load += batch.jobs.length
    walker.channel.send({ batch: id, jobs: batch.jobs })
  }

  const flush = () => {
    flushScheduled = false
    const jobs = queued
    queued = []
    for (let start = 0; start < jobs.length; start += JOBS_PER_MESSAGE) {
      const slice = jobs.slice(start, start + JOBS_PER_MESSAGE)
      post({
        jobs: slice.map(({ job }) => job),
        settle: (results) =>
          results.forEach((result, i) => {
            if ('walk' in result) slice[i]?.resolve(result.walk)
            else slice[i]?.reject(toError(result.error))
          }),
        fail: (error) => slice.forEach((pending) => pending.reject(error)),
      })
    }
  }

  const inline = (count: number): boolean => {
    walked += count
    return !pooled || closed || walked <= inlineScopes
  }

  return {
    concurrency: pooled ? kinds.length * JOBS_IN_FLIGHT_PER_WALKER + INLINE_CONCURRENCY : INLINE_CONCURRENCY,
    batchConcurrency: pooled ? kinds.length * BATCHES_IN_FLIGHT_PER_WALKER + 1 : 1,
    walk(job) {
      if (inline(1)) return walkScope(job)
      const running = live()
      // As in walkBatch: this thread walks too once every walker has its fill (or none is left), letting
      // the event loop run every message's worth of walks so the walkers' answers are read.
      if (queued.length + running.reduce((sum, walker) => sum + walker.load, 0) >= running.length * JOBS_IN_FLIGHT_PER_WALKER) {
        if (++walkedHereSinceYield < JOBS_PER_MESSAGE || running.length === 0) return walkScope(job)
        walkedHereSinceYield = 0
        return yieldToLoop().then(() => walkScope(job))
      }
      return new Promise<ScopeWalk>((resolve, reject) => {
        queued.push({ job, resolve, reject })
        if (!flushScheduled) {
          flushScheduled = true
          setImmediate(flush)
        }
      })
    },
    walkBatch(jobs) {
      if (inline(jobs.length)) return walkInline(jobs)
      // The calling thread walks too while every walker has its fill: on 2 cores, itself and one walker.
      // It first lets the event loop run: a walk here is all microtasks, and the walkers' answers wait for I/O.
      if (live().every((walker) => walker.batches.size >= BATCHES_IN_FLIGHT_PER_WALKER)) return yieldToLoop().then(() => walkInline(jobs))
      return new Promise<ScopeWalk[]>((resolve, reject) => {
        post({
          jobs,
          settle: (results) => {
            const failed = results.find((result) => 'error' in result)
            if (failed) reject(toError(failed.error))
            else resolve(results.map((result) => (result as { walk: ScopeWalk }).walk))
          },
          fail: reject,
        })
      })
    },
    async close() {
      closed = true
      const running = walkers ?? []
      walkers = undefined
      const stopped = new Error('walker closed')
      for (const walker of running) {
        walker.alive = false
        for (const batch of walker.batches.values()) batch.fail(stopped)
        walker.batches.clear()
      }
      for (const pending of queued) pending.reject(stopped)
      queued = []
      await Promise.all(running.map((walker) => walker.channel.close()))
    },
  }
}
