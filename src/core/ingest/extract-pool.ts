/**
 * Extraction worker threads: untrusted files are parsed here, never on the
 * thread that answers requests and refreshes the scope locks. The budgets are
 * enforced from outside the parser: a worker's heap is capped (`resourceLimits`:
 * past it V8 stops that worker alone) and a worker still busy after the
 * wall-clock budget is terminated. Workers are reused (starting one and loading
 * a parser costs more than a small file's extraction) and stopped when idle.
 *
 * Workers run the compiled `extract-worker.js`. From the TypeScript sources
 * (tests) that is the build in `dist/`, which `npm test` makes first.
 * Tests: test/core/ingest/hostile-files.test.ts, test/server/hostile-upload.test.ts.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import {
  BentoError,
  EmptyFileError,
  TooLargeError,
  UnreadableFileError,
  UnsupportedTypeError,
  type ErrorCode,
} from '../errors.js'
import { extractWorkersFromEnv, type Env } from '../env.js'
import { describeFile } from './file-type.js'
import type { ResolvedLimits } from './limits.js'
import type { ExtractedDocument } from './types.js'
import type { ExtractRequest, ExtractResponse } from './extract-worker.js'

/** Idle workers are stopped after this long: each holds its parsers' memory. */
const IDLE_MS = 60_000
const STACK_MB = 4

/** `BENTO_EXTRACT_WORKERS`, else 2 (at most the cores): extractions that run at once; more wait their turn. */
export const extractWorkerCount = (env: Env = process.env): number =>
  extractWorkersFromEnv(env) ?? Math.max(1, Math.min(2, availableParallelism()))

const workerUrl = (): URL => {
  const sibling = new URL('./extract-worker.js', import.meta.url)
  if (existsSync(fileURLToPath(sibling))) return sibling
  const built = new URL('../../../dist/core/ingest/extract-worker.js', import.meta.url)
  if (existsSync(fileURLToPath(built))) return built
  throw new BentoError('internal', 'extract-worker.js is missing: run `npm run build`.')
}

const ERRORS: Partial<Record<ErrorCode, new (message: string) => BentoError>> = {
  too_large: TooLargeError,
  unreadable_file: UnreadableFileError,
  empty_file: EmptyFileError,
  unsupported_type: UnsupportedTypeError,
}

const toError = ({ code, message }: { code: string; message: string }): BentoError => {
  const Type = ERRORS[code as ErrorCode]
  return Type ? new Type(message) : new BentoError(code as ErrorCode, message)
}

interface Job {
  id: number
  fileName: string
  bytes: Uint8Array
  limits: ResolvedLimits
  resolve(document: ExtractedDocument): void
  reject(error: unknown): void
}

interface Slot {
  worker: Worker
  memoryMb: number
  job: (Job & { timer: NodeJS.Timeout }) | undefined
  idleTimer: NodeJS.Timeout | undefined
}

const slots = new Set<Slot>()
const queue: Job[] = []
let nextId = 0
let maxWorkers: number | undefined

const retire = (slot: Slot): void => {
  slots.delete(slot)
  clearTimeout(slot.idleTimer)
  if (slot.job) clearTimeout(slot.job.timer)
  slot.job = undefined
  void slot.worker.terminate().catch(() => {})
}

/** Ends the slot's job with `error` and the worker with it: its state is unknown. */
const fail = (slot: Slot, error: BentoError): void => {
  const job = slot.job
  retire(slot)
  job?.reject(error)
  dispatch()
}

const spawn = (memoryMb: number): Slot => {
  const worker = new Worker(workerUrl(), { resourceLimits: { maxOldGenerationSizeMb: memoryMb, stackSizeMb: STACK_MB } })
  const slot: Slot = { worker, memoryMb, job: undefined, idleTimer: undefined }
  worker.on('message', (response: ExtractResponse) => {
    const job = slot.job
    if (!job || job.id !== response.id) return
    clearTimeout(job.timer)
    slot.job = undefined
    worker.unref()
    slot.idleTimer = setTimeout(() => !slot.job && retire(slot), IDLE_MS).unref()
    if ('document' in response) job.resolve(response.document)
    else job.reject(toError(response.error))
    dispatch()
  })
  worker.on('error', (error: NodeJS.ErrnoException) => {
    const name = slot.job ? describeFile(slot.job.fileName) : 'a file'
    fail(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new TooLargeError(`${name} needs more than the ${memoryMb} MB extraction memory budget.`)
      : new BentoError('internal', `The extraction worker failed on ${name}: ${error.message}`, { cause: error }))
  })
  worker.on('exit', (code) => {
    if (slots.has(slot)) fail(slot, new BentoError('internal', `The extraction worker exited (code ${code}).`))
  })
  slots.add(slot)
  return slot
}

const start = (slot: Slot, job: Job): void => {
  clearTimeout(slot.idleTimer)
  const seconds = job.limits.extractTimeoutMs / 1000
  const timer = setTimeout(() => {
    fail(slot, new UnreadableFileError(`Cannot read ${describeFile(job.fileName)}: parsing it took longer than the ${seconds} s extraction time budget.`))
  }, job.limits.extractTimeoutMs)
  slot.job = { ...job, timer }
  slot.worker.ref()
  slot.worker.postMessage({ id: job.id, fileName: job.fileName, bytes: job.bytes, limits: job.limits } satisfies ExtractRequest)
}

function dispatch(): void {
  maxWorkers ??= extractWorkerCount()
  while (queue.length > 0) {
    const job = queue[0]!
    const idle = [...slots].filter((slot) => !slot.job)
    let slot = idle.find((candidate) => candidate.memoryMb === job.limits.extractMemoryMb)
    if (!slot && slots.size >= maxWorkers && idle[0]) retire(idle[0]) // an idle worker of another memory budget makes room
    if (!slot && slots.size < maxWorkers) {
      try {
        slot = spawn(job.limits.extractMemoryMb)
      } catch (error) {
        queue.shift()
        job.reject(error)
        continue
      }
    }
    if (!slot) return
    queue.shift()
    start(slot, job)
  }
}

/**
 * Extracts in a worker within the limits' time and memory budgets; waits for a
 * free worker when all are busy.
 *
 * @example
 * await extractInWorker('report.pdf', bytes, resolveLimits({ extractTimeoutMs: 10_000 }))
 */
export const extractInWorker = (fileName: string, bytes: Uint8Array, limits: ResolvedLimits): Promise<ExtractedDocument> =>
  new Promise((resolve, reject) => {
    queue.push({ id: nextId++, fileName, bytes, limits, resolve, reject })
    dispatch()
  })

/** Starts one worker ahead of the first upload (a server calls this once it listens). */
export const warmExtractWorkers = (limits: ResolvedLimits): void => {
  if (slots.size > 0) return
  try {
    const slot = spawn(limits.extractMemoryMb)
    slot.worker.unref()
    slot.idleTimer = setTimeout(() => !slot.job && retire(slot), IDLE_MS).unref()
  } catch {
    // No worker build: the first upload reports it.
  }
}

/** Stops every worker; extractions in flight reject. */
export const stopExtractWorkers = async (): Promise<void> => {
  for (const slot of [...slots]) fail(slot, new BentoError('cancelled', 'Extraction stopped.'))
}
