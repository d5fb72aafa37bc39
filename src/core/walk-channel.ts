/**
 * A line to one walker beside this thread (`walk-pool.ts`): a worker thread or
 * a child process running the compiled `walk-worker.js`, sent batches of scope
 * walks and answering each with plain data. Both kinds look the same to the pool.
 *
 * Child processes are the default because they are what scales: two processes
 * walking at once did, threads of one process did not (figures: docs/BENCHMARKS.md).
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { WALKER_ENV } from './walk-worker.js'
import type { WalkRequest, WalkResponse } from './walk-worker.js'

export type WalkChannelKind = 'thread' | 'process'

export interface WalkChannelEvents {
  response(response: WalkResponse): void
  /** The walker is gone (crashed, killed, never started); called at most once, never after `close`. */
  failure(error: Error): void
}

export interface WalkChannel {
  send(request: WalkRequest): void
  /** Stops the walker and waits for it to exit. */
  close(): Promise<void>
}

export const WALK_WORKER_URL = new URL('./walk-worker.js', import.meta.url)

export const openWalkChannel = (kind: WalkChannelKind, events: WalkChannelEvents): WalkChannel =>
  kind === 'thread' ? openThread(events) : openProcess(events)

/** Guards `failure`: one report, none once closing. */
const failOnce = (events: WalkChannelEvents) => {
  let done = false
  return {
    fail(error: Error) {
      if (done) return
      done = true
      events.failure(error)
    },
    closing() {
      done = true
    },
  }
}

const openThread = (events: WalkChannelEvents): WalkChannel => {
  const worker = new Worker(WALK_WORKER_URL)
  const state = failOnce(events)
  worker.on('message', (response: WalkResponse) => events.response(response))
  worker.on('error', (error) => state.fail(error))
  worker.on('exit', (code) => state.fail(new Error(`walk worker exited with code ${code}`)))
  return {
    send: (request) => worker.postMessage(request),
    async close() {
      state.closing()
      await worker.terminate()
    },
  }
}

const openProcess = (events: WalkChannelEvents): WalkChannel => {
  // No inherited flags (a profiler, a test loader): the walker needs plain Node. Its stdout is never ours to write.
  const child = fork(fileURLToPath(WALK_WORKER_URL), [], {
    env: { ...process.env, [WALKER_ENV]: '1' },
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const state = failOnce(events)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.on('message', (response: WalkResponse) => events.response(response))
  child.on('error', (error) => state.fail(error))
  child.on('exit', (code, signal) => state.fail(new Error(`walk process exited with ${signal ?? `code ${code}`}`)))
  return {
    send(request) {
      // A send to a process already gone reports through 'error'; the pool then walks the batch itself.
      if (child.connected) child.send(request, (error) => error && state.fail(error))
      else state.fail(new Error('walk process is not connected'))
    },
    async close() {
      state.closing()
      // Never spawned (no pid): there is no exit to wait for.
      if (child.pid === undefined) return
      if (child.exitCode === null && child.signalCode === null) child.kill()
      await exited
    },
  }
}
