/**
 * Scope walks spread over worker threads. A walk is a few syscalls and a few
 * objects per file; GNU du does the same syscalls in C, so one JS thread is
 * slower than du on big trees (figures: docs/BENCHMARKS.md), and big trees walk on
 * `threads` workers (the kernel side of the walk runs in parallel too). Small
 * trees never pay a worker's start-up: the first `inlineScopes` walks run here.
 *
 * Workers run the compiled `walk-worker.js`; from TypeScript sources (tests)
 * it does not exist and every walk runs here. So does every walk while a test
 * has armed a fault: an injector set in this thread is not seen in a worker.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { walkThreadsFromEnv } from './env.js'
import { faultsArmed } from './faults.js'
import { walkScope } from './scope-walk.js'
import type { ScopeWalk, ScopeWalkJob } from './scope-walk.js'
import type { WalkFailure, WalkRequest, WalkResponse } from './walk-worker.js'

export interface ScopeWalkerOptions {
  /** Worker threads for big trees. Default: `BENTO_WALK_THREADS`, else one less than the available cores, up to 3. 0 walks in this thread only. */
  threads?: number
  /** Walks done in this thread before workers start. Default 256. */
  inlineScopes?: number
}

export interface ScopeWalker {
  walk(job: ScopeWalkJob): Promise<ScopeWalk>
  /** The walks of a batch (e.g. a `scanScopeBatches` batch), in its order: one message to a worker, no promise per scope. Rejects with the first failure. */
  walkBatch(jobs: ScopeWalkJob[]): Promise<ScopeWalk[]>
  /** Walks worth having in flight at once: enough to keep every thread busy. */
  readonly concurrency: number
  /** Batches worth having in flight at once (`walkBatch`): the workers' fill and one for this thread. */
  readonly batchConcurrency: number
  /** Stops the workers; walks still pending reject. */
  close(): Promise<void>
}

const WORKER_URL = new URL('./walk-worker.js', import.meta.url)
/** Jobs per message: few enough that a worker's answers come back steadily, enough to amortize a message. */
const JOBS_PER_MESSAGE = 32
const INLINE_CONCURRENCY = 16
const JOBS_IN_FLIGHT_PER_THREAD = 64
const BATCHES_IN_FLIGHT_PER_THREAD = 2

/** Workers beside this thread, which walks too: one per other core (on 2 cores, one), at most 3. */
const defaultThreads = (): number => walkThreadsFromEnv(process.env) ?? Math.min(availableParallelism() - 1, 3)

const workersAvailable = (): boolean => existsSync(fileURLToPath(WORKER_URL)) && !faultsArmed()

const toError = (failure: WalkFailure): Error => Object.assign(new Error(failure.message), failure)

interface Pending {
  resolve(walk: ScopeWalk): void
  reject(error: unknown): void
}

/** A message's jobs awaiting their answers. */
interface Batch {
  size: number
  settle(results: WalkResponse['results']): void
  fail(error: unknown): void
}

interface Thread {
  worker: Worker
  batches: Map<number, Batch>
  load: number
}

const walkInline = async (jobs: ScopeWalkJob[]): Promise<ScopeWalk[]> => {
  const walks: ScopeWalk[] = []
  for (const job of jobs) walks.push(await walkScope(job))
  return walks
}

/**
 * @example
 * const walker = createScopeWalker()
 * try { await forEachConcurrent(scopes, walker.concurrency, async (s) => use(await walker.walk(jobOf(s)))) }
 * finally { await walker.close() }
 */
export const createScopeWalker = (options: ScopeWalkerOptions = {}): ScopeWalker => {
  const threadCount = Math.max(0, Math.floor(options.threads ?? defaultThreads()))
  const inlineScopes = options.inlineScopes ?? 256
  const pooled = threadCount > 0 && workersAvailable()
  let threads: Thread[] | undefined
  let broken: unknown
  let walked = 0
  let nextBatch = 0
  let queued: Array<{ job: ScopeWalkJob } & Pending> = []
  let flushScheduled = false

  const failThread = (thread: Thread, error: unknown) => {
    broken ??= error
    for (const batch of thread.batches.values()) batch.fail(error)
    thread.batches.clear()
  }

  const startThreads = (): Thread[] =>
    Array.from({ length: threadCount }, () => {
      const thread: Thread = { worker: new Worker(WORKER_URL), batches: new Map(), load: 0 }
      thread.worker.on('message', ({ batch, results }: WalkResponse) => {
        const pending = thread.batches.get(batch)
        thread.batches.delete(batch)
        if (pending === undefined) return
        thread.load -= pending.size
        pending.settle(results)
      })
      thread.worker.on('error', (error) => failThread(thread, error))
      thread.worker.on('exit', (code) => failThread(thread, new Error(`walk worker exited with code ${code}`)))
      return thread
    })

  const post = (jobs: ScopeWalkJob[], pending: Batch) => {
    const thread = threads!.reduce((least, candidate) => (candidate.load < least.load ? candidate : least))
    const batch = nextBatch++
    thread.batches.set(batch, pending)
    thread.load += pending.size
    thread.worker.postMessage({ batch, jobs } satisfies WalkRequest)
  }

  const flush = () => {
    flushScheduled = false
    const jobs = queued
    queued = []
    if (threads === undefined) {
      for (const pending of jobs) pending.reject(broken)
      return
    }
    for (let start = 0; start < jobs.length; start += JOBS_PER_MESSAGE) {
      const slice = jobs.slice(start, start + JOBS_PER_MESSAGE)
      post(slice.map(({ job }) => job), {
        size: slice.length,
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
    return !pooled || broken !== undefined || walked <= inlineScopes
  }

  return {
    concurrency: pooled ? threadCount * JOBS_IN_FLIGHT_PER_THREAD + INLINE_CONCURRENCY : INLINE_CONCURRENCY,
    batchConcurrency: pooled ? threadCount * BATCHES_IN_FLIGHT_PER_THREAD + 1 : 1,
    walk(job) {
      if (inline(1)) return walkScope(job)
      threads ??= startThreads()
      // As in walkBatch: this thread walks too once every worker has its fill.
      if (queued.length + threads.reduce((sum, thread) => sum + thread.load, 0) >= threads.length * JOBS_IN_FLIGHT_PER_THREAD) return walkScope(job)
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
      threads ??= startThreads()
      // The calling thread walks too while every worker has its fill: on 2 cores, itself and one worker.
      if (threads.every((thread) => thread.batches.size >= BATCHES_IN_FLIGHT_PER_THREAD)) return walkInline(jobs)
      return new Promise<ScopeWalk[]>((resolve, reject) => {
        post(jobs, {
          size: jobs.length,
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
      const running = threads ?? []
      threads = undefined
      broken ??= new Error('walker closed')
      await Promise.all(running.map((thread) => thread.worker.terminate()))
    },
  }
}
