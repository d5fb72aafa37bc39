/**
 * `bento ls`: every scope with its kind, document count, size and last
 * activity. Cheap: documents are counted from `docstore.json` without loading
 * any index (a 100k-scope data dir must not load 100k indexes).
 */
import path from 'node:path'
import * as fs from '../core/fs.js'
import type { ScopeKind, Scope } from '../core/keys.js'
import type { StorageBackend } from '../core/backend/types.js'
import { chunkFromRecord, parseDocstore } from '../core/store/docstore.js'
import { DOCSTORE_FILE } from '../core/store/files.js'
import { forEachConcurrent } from './concurrent.js'
import { recoverPendingOperations } from './recover.js'
import { toIso, toRef } from './scope-ref.js'
import type { LsResult, LsRow } from './types.js'

export interface LsOptions {
  kinds?: ScopeKind[]
}

/** Distinct documents in a store dir's docstore; 0 when there is none, undefined when unreadable. */
export const countDocuments = async (storeDir: string): Promise<number | undefined> => {
  const file = path.join(storeDir, DOCSTORE_FILE)
  const stats = await fs.lstatOrUndefined(file)
  if (!stats?.isFile()) return 0
  try {
    const ids = new Set<string>()
    for (const [label, record] of parseDocstore(await fs.readText(file))) ids.add(chunkFromRecord(label, record).documentId)
    return ids.size
  } catch {
    return undefined
  }
}

const rowOf = async (backend: StorageBackend, scope: Scope): Promise<LsRow> => {
  const usage = await backend.usage(scope)
  return {
    ...toRef(scope),
    documents: (await countDocuments(backend.layout.vectorsDir(scope))) ?? 0,
    totalBytes: usage.totalBytes,
    lastActiveAt: toIso(usage.lastActiveAt),
  }
}

/**
 * @example
 * const { scopes } = await listScopeSummaries(backend, { kinds: ['custom'] })
 */
export const listScopeSummaries = async (backend: StorageBackend, options: LsOptions = {}): Promise<LsResult> => {
  await recoverPendingOperations(backend)
  const scopes: LsRow[] = []
  await forEachConcurrent(backend.listScopes(options.kinds ? { kinds: options.kinds } : {}), 16, async (scope) => {
    scopes.push(await rowOf(backend, scope))
  })
  scopes.sort((a, b) => (a.kind === b.kind ? (a.dir < b.dir ? -1 : 1) : a.kind === 'shared' ? -1 : b.kind === 'shared' ? 1 : a.kind < b.kind ? -1 : 1))
  return { scopes }
}
