/**
 * `bento ls`: every scope with its kind, document count, size and last
 * activity. Cheap: documents come from the manifest (`bento.json`), or from
 * `docstore.json` for a store whose manifest predates the count, without loading
 * any index (a 100k-scope data dir must not load 100k indexes). Sizes and
 * activity come from the same walk as `bento du`.
 */
import path from 'node:path'
import * as fs from '../core/fs.js'
import type { ScopeKind, Scope } from '../core/keys.js'
import type { StorageBackend } from '../core/backend/types.js'
import { countDocuments as countInDocstore, parseDocstore } from '../core/store/docstore.js'
import { DOCSTORE_FILE } from '../core/store/files.js'
import { peekStore } from '../core/store/peek.js'
import { createScopeWalker } from '../core/walk-pool.js'
import type { ScopeWalker } from '../core/walk-pool.js'
import { forEachConcurrent } from './concurrent.js'
import { pendingNotes } from './pending.js'
import { toIso, toRef } from './scope-ref.js'
import { lastActiveFromWalk } from './walk-activity.js'
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
    return countInDocstore(parseDocstore(await fs.readText(file)))
  } catch {
    return undefined
  }
}

/** The manifest's count when it has one (constant time); else the docstore's. */
const documentsIn = async (storeDir: string): Promise<number | undefined> => {
  try {
    const peek = await peekStore(storeDir)
    if (peek) return peek.documents
  } catch {
    // A damaged manifest: the docstore may still answer.
  }
  return countDocuments(storeDir)
}

const rowOf = async (backend: StorageBackend, walker: ScopeWalker, scope: Scope): Promise<LsRow> => {
  const { layout } = backend
  const walk = await walker.walk({ vectorsDir: layout.vectorsDir(scope), uploadsDir: layout.uploadsDir(scope), activityFile: layout.activityFile(scope) })
  return {
    ...toRef(scope),
    documents: (await documentsIn(layout.vectorsDir(scope))) ?? 0,
    totalBytes: walk.vectors.bytes + walk.uploads.bytes,
    lastActiveAt: toIso(await lastActiveFromWalk(backend, scope, walk)),
  }
}

/**
 * @example
 * const { scopes } = await listScopeSummaries(backend, { kinds: ['custom'] })
 */
export const listScopeSummaries = async (backend: StorageBackend, options: LsOptions = {}): Promise<LsResult> => {
  // Read-only: an unfinished operation is reported, never finished here (test/reliability/read-only-pending.test.ts).
  const pending = await pendingNotes(backend)
  const scopes: LsRow[] = []
  const walker = createScopeWalker()
  try {
    await forEachConcurrent(backend.listScopes(options.kinds ? { kinds: options.kinds } : {}), walker.concurrency, async (scope) => {
      scopes.push(await rowOf(backend, walker, scope))
    })
  } finally {
    await walker.close()
  }
  scopes.sort((a, b) => (a.kind === b.kind ? (a.dir < b.dir ? -1 : 1) : a.kind === 'shared' ? -1 : b.kind === 'shared' ? 1 : a.kind < b.kind ? -1 : 1))
  return pending.length > 0 ? { scopes, pending } : { scopes }
}
