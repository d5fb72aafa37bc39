/**
 * Entry of an extraction worker thread (`extract-pool.ts`): extracts the files
 * it is sent, one at a time, and answers plain data. A typed error travels as
 * its code and message; anything else as `internal`.
 */
import { parentPort } from 'node:worker_threads'
import { isBentoError } from '../errors.js'
import { extractInThread } from './extract.js'
import type { ResolvedLimits } from './limits.js'
import type { ExtractedDocument } from './types.js'

export interface ExtractRequest {
  id: number
  fileName: string
  bytes: Uint8Array
  limits: ResolvedLimits
}

export type ExtractResponse = { id: number; document: ExtractedDocument } | { id: number; error: { code: string; message: string } }

parentPort?.on('message', async ({ id, fileName, bytes, limits }: ExtractRequest) => {
  let response: ExtractResponse
  try {
    response = { id, document: await extractInThread(fileName, bytes, limits) }
  } catch (error) {
    const code = isBentoError(error) ? error.code : 'internal'
    response = { id, error: { code, message: error instanceof Error ? error.message : String(error) } }
  }
  parentPort!.postMessage(response)
})
