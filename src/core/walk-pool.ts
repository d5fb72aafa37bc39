/**
 * Scope walks spread over worker threads beside this one (`walk-channel.ts`). A walk
 * is a few syscalls and a few objects per file; GNU du does the same syscalls in C,
 * so one JS thread is slower than du on big trees (figures: docs/BENCHMARKS.md), and
 * big trees walk in several threads at once (the kernel side of the walk runs in
 * parallel too). Small trees never pay a worker's start-up: the first
 * `inlineScopes` walks run here, and this thread keeps walking while every worker
 * has its fill.
 *
 * Workers run the compiled `walk-worker.js`; from TypeScript sources (tests) it
 * does not exist and every walk runs here. So does every walk while a test has
 * armed a fault: an injector set in this thread is not seen in a worker. A worker
 * that dies hands its batches back: they are walked here.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { walkThreadsFromEnv } from './env.js'
import { faultsArmed } from './faults.js'
import { walkScope } from './scope-walk.js'
import type { ScopeWalk, ScopeWalkJob } from './scope-walk.js'
import { openWalkThread, WALK_WORKER_URL } from './walk-channel.js'
import type { WalkChannel } from './walk-channel.js'
import type { WalkFailure, WalkResponse } from './walk-worker.js'

export interface ScopeWalkerOptions {
  /** Worker threads that walk beside this one. Default: `BENTO_WALK_THREADS`, else one per core beyond this one's (at most 3). */
  threads?: number
  /** Walks done in this thread before any worker starts. Default 64 (one listing batch). */
  inlineScopes?: number
  /** How a worker is reached; tests replace it to make one fail. */
  openChannel?: typeof openWalkThread
}

export interface ScopeWalker {
  walk(job: ScopeWalkJob): Promise<ScopeWalk>
  /** The walks of a batch (e.g. a `scanScopeBatches` batch), in its order: one message to a worker, no promise per scope. Rejects with the first failure. */
  walkBatch(jobs: ScopeWalkJob[]): Promise<ScopeWalk[]>
  /** Walks worth having in flight at once: enough to keep every worker busy. */
  readonly concurrency: number
  /** Batches worth having in flight at once (`walkBatch`): the workers' fill and one for this thread. */
  readonly batchConcurrency: number
  /** Stops the workers; walks still pending reject. */
  close(): Promise<void>
}

/** Single walks (`walk`) gathered into one batch: as many as a listing batch (`SCAN_BATCH_SCOPES`). */
const GATHERED_JOBS = 64
const INLINE_CONCURRENCY = 16
/** Batches queued at a worker before this thread walks one itself: enough that the worker never waits for this thread. */
const BATCHES_QUEUED_PER_THREAD = 4
const MAX_DEFAULT_THREADS = 3

/**
 * By default a worker per core beyond this thread's. Not tied to the load average: a walk's own threads
 * count in it, so a rule on it switched workers off and on between runs of the same command.
 */
const defaultThreads = (): number => walkThreadsFromEnv(process.env) ?? Math.min(MAX_DEFAULT_THREADS, availableParallelism() - 1)

const workersAvailable = (): boolean => existsSync(fileURLToPath(WALK_WORKER_URL)) && !faultsArmed()

const toError = (failure: WalkFailure): Error => Object.assign(new Error(failure.message), failure)

/** One job's outcome: its walk, or the error a walk here threw (or a worker's, rebuilt). */
type Outcome = { walk: ScopeWalk } | { error: unknown }

/** A message's jobs awaiting their answers. */
interface Batch {
  jobs: ScopeWalkJob[]
  settle(outcomes: Outcome[]): void
}

interface PoolThread {
  channel: WalkChannel
  batches: Map<number, Batch>
  load: number
  alive: boolean
}

/** Walks here, in order; a failure is that job's outcome, so the others still get theirs. */
const walkHere = async (jobs: ScopeWalkJob[]): Promise<Outcome[]> => {
  const outcomes: Outcome[] = []
  for (const job of jobs) {
    try {
      outcomes.push({ walk: await walkScope(job) })
    } catch (error) {
      outcomes.push({ error })
    }
  }
  return outcomes
}

const fromResponse = (results: WalkResponse['results']): Outcome[] =>
  results.map((result) => ('walk' in result ? result : { error: toError(result.error) }))

/**
 * @example
 * const walker = createScopeWalker()
 * try { for (const batch of batches) use(await walker.walkBatch(batch.map(jobOf))) }
 * finally { await walker.close() }
 */
export const createScopeWalker = (options: ScopeWalkerOptions = {}): ScopeWalker => {
  const threadCount = workersAvailable() ? Math.max(0, Math.floor(options.threads ?? defaultThreads())) : 0
  const openChannel = options.openChannel ?? openWalkThread
  const inlineScopes = options.inlineScopes ?? 64
  const pooled = threadCount > 0
  let threads: PoolThread[] | undefined
  let closed = false
  let walked = 0
  let nextBatch = 0
  let gathered: Array<{ job: ScopeWalkJob; settle(outcome: Outcome): void }> = []
  let flushScheduled = false

  // A worker that died hands its batches back: walked here, so a crash costs time, never an answer.
  const retire = (thread: PoolThread) => {
    thread.alive = false
    const orphans = [...thread.batches.values()]
    thread.batches.clear()
    thread.load = 0
    for (const batch of orphans) void walkHere(batch.jobs).then(batch.settle)
  }

  const startThreads = (): PoolThread[] =>
    Array.from({ length: threadCount }, () => {
      const thread: PoolThread = { channel: { send() {}, close: async () => {} }, batches: new Map(), load: 0, alive: true }
      try {
        thread.channel = openChannel({
          response({ batch, results }) {
            const pending = thread.batches.get(batch)
            thread.batches.delete(batch)
            if (pending === undefined) return
            thread.load -= pending.jobs.length
            pending.settle(fromResponse(results))
          },
          failure: () => retire(thread),
        })
      } catch {
        // Could not start (out of memory for another isolate, say): this thread walks its share.
        thread.alive = false
      }
      return thread
    })

  const live = (): PoolThread[] => (closed ? [] : (threads ??= startThreads()).filter((thread) => thread.alive))

  /**
   * A batch's outcomes: walked here for the first `inlineScopes`, then by the least loaded worker, or here
   * while every worker has its fill (on 2 cores: this thread and one worker). Before walking here it lets
   * the event loop run: a walk here is all microtasks, and the workers' answers wait for it.
   */
  const run = (jobs: ScopeWalkJob[]): Promise<Outcome[]> => {
    if (closed) return Promise.resolve(jobs.map(() => ({ error: new Error('walker closed') })))
    walked += jobs.length
    if (!pooled || walked <= inlineScopes) return walkHere(jobs)
    const candidates = live().filter((thread) => thread.batches.size < BATCHES_QUEUED_PER_THREAD)
    if (candidates.length === 0) return yieldToLoop().then(() => walkHere(jobs))
    const thread = candidates.reduce((least, candidate) => (candidate.load < least.load ? candidate : least))
    return new Promise<Outcome[]>((settle) => {
      const id = nextBatch++
      thread.batches.set(id, { jobs, settle })
      thread.load += jobs.length
      thread.channel.send({ batch: id, jobs })
    })
  }

  const flush = () => {
    flushScheduled = false
    const batch = gathered
    gathered = []
    void run(batch.map(({ job }) => job)).then((outcomes) => outcomes.forEach((outcome, i) => batch[i]!.settle(outcome)))
  }

  const settleOne = (resolve: (walk: ScopeWalk) => void, reject: (error: unknown) => void) => (outcome: Outcome) =>
    'walk' in outcome ? resolve(outcome.walk) : reject(outcome.error)

  return {
    concurrency: pooled ? (threadCount * BATCHES_QUEUED_PER_THREAD + 1) * GATHERED_JOBS : INLINE_CONCURRENCY,
    batchConcurrency: pooled ? threadCount * BATCHES_QUEUED_PER_THREAD + 1 : 1,
    walk(job) {
      if (!pooled || walked < inlineScopes) {
        walked++
        return walkScope(job)
      }
      // Single walks travel in batches too: gathered until a batch is full or this turn of the event loop ends.
      return new Promise<ScopeWalk>((resolve, reject) => {
        gathered.push({ job, settle: settleOne(resolve, reject) })
        if (gathered.length >= GATHERED_JOBS) flush()
        else if (!flushScheduled) {
          flushScheduled = true
          setImmediate(flush)
        }
      })
    },
    async walkBatch(jobs) {
      const outcomes = await run(jobs)
      const failed = outcomes.find((outcome): outcome is { error: unknown } => 'error' in outcome)
      if (failed) throw failed.error
      return outcomes.map((outcome) => (outcome as { walk: ScopeWalk }).walk)
    },
    async close() {
      closed = true
      const running = threads ?? []
      threads = undefined
      const stopped = new Error('walker closed')
      for (const thread of running) {
        thread.alive = false
        for (const batch of thread.batches.values()) batch.settle(batch.jobs.map(() => ({ error: stopped })))
        thread.batches.clear()
      }
      await Promise.all(running.map((thread) => thread.channel.close()))
    },
  }
}
