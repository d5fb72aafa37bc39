/**
 * Entry of a walker beside the main thread (`walk-channel.ts`), as a worker
 * thread or a child process: walks the scopes it is sent and answers with plain
 * data. An error travels as its code and message, so the caller sees the same
 * errno error a walk in its own thread would throw.
 */
import { parentPort } from 'node:worker_threads'
import { walkScopeSync } from './scope-walk.js'
import type { ScopeWalk, ScopeWalkJob } from './scope-walk.js'

/** Set in a walk process's environment: a module imported by some other forked process never answers its parent's messages. */
export const WALKER_ENV = 'BENTO_WALKER'

export interface WalkRequest {
  batch: number
  jobs: ScopeWalkJob[]
}

export interface WalkFailure {
  message: string
  code?: string
  syscall?: string
  path?: string
}

export interface WalkResponse {
  batch: number
  results: Array<{ walk: ScopeWalk } | { error: WalkFailure }>
}

const describeFailure = (error: unknown): WalkFailure => {
  const { message, code, syscall, path } = error as NodeJS.ErrnoException
  return { message: String(message), ...(code ? { code } : {}), ...(syscall ? { syscall } : {}), ...(path ? { path } : {}) }
}

// Sync walks: a walker has no event loop to keep answering, so no promise per scope.
export const answerWalkRequest = ({ batch, jobs }: WalkRequest): WalkResponse => {
  const results: WalkResponse['results'] = []
  for (const job of jobs) {
    try {
      results.push({ walk: walkScopeSync(job) })
    } catch (error) {
      results.push({ error: describeFailure(error) })
    }
  }
  return { batch, results }
}

if (parentPort) {
  const port = parentPort
  port.on('message', (request: WalkRequest) => port.postMessage(answerWalkRequest(request)))
} else if (process.send && process.env[WALKER_ENV] === '1') {
  const send = process.send.bind(process)
  process.on('message', (request: WalkRequest) => send(answerWalkRequest(request)))
  // The parent is gone or done with us: nothing else would end this process.
  process.on('disconnect', () => process.exit(0))
}
