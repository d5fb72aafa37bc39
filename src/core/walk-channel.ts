/**
 * A line to one walk worker thread beside this one (`walk-pool.ts`), running the
 * compiled `walk-worker.js`: sent batches of scope walks, answering each with
 * plain data, and reporting once if it dies.
 */
import { Worker } from 'node:worker_threads'
import type { WalkRequest, WalkResponse } from './walk-worker.js'

export interface WalkChannelEvents {
  response(response: WalkResponse): void
  /** The walker is gone (crashed, exited); called at most once, never after `close`. */
  failure(error: Error): void
}

export interface WalkChannel {
  send(request: WalkRequest): void
  /** Stops the walker. */
  close(): Promise<void>
}

export const WALK_WORKER_URL = new URL('./walk-worker.js', import.meta.url)

export const openWalkThread = (events: WalkChannelEvents): WalkChannel => {
  const worker = new Worker(WALK_WORKER_URL)
  let done = false
  const fail = (error: Error) => {
    if (done) return
    done = true
    events.failure(error)
  }
  worker.on('message', (response: WalkResponse) => events.response(response))
  worker.on('error', fail)
  worker.on('exit', (code) => fail(new Error(`walk worker exited with code ${code}`)))
  return {
    send: (request) => worker.postMessage(request),
    async close() {
      done = true
      await worker.terminate()
    },
  }
}
