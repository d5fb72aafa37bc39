/**
 * Entry of a walk worker thread (`walk-channel.ts`): walks the scopes it is sent
 * and answers with plain data. An error travels as its code and message, so
 * the caller sees the same errno error a walk in its own thread would throw.
 */
import { parentPort } from 'node:worker_threads'
import { walkScopeSync } from './scope-walk.js'
import type { ScopeWalk, ScopeWalkJob } from './scope-walk.js'

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
const answerWalkRequest = ({ batch, jobs }: WalkRequest): WalkResponse => {
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

parentPort?.on('message', (request: WalkRequest) => parentPort!.postMessage(answerWalkRequest(request)))
