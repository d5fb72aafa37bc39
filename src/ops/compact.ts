/**
 * `bento compact <key…>|--all`: folds each store's commit log (`bento-log.bin`) into
 * its base files and drops deleted points (`StorageBackend.compact`), one scope at a
 * time under its lock. Writes already compact in the background once a log is due;
 * this does it now: before handing a directory to a LangChain reader (which reads
 * only the base files), or to reclaim the space of deleted chunks.
 */
import type { StorageBackend, StoreCompaction } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { toRef } from './scope-ref.js'
import type { OnProgress, ScopeRef } from './types.js'
import { resolveScopeList } from './resolve-scope.js'
import { finishPendingFor } from './recover.js'

export interface CompactRow extends ScopeRef {
  stores: StoreCompaction[]
  /** Whether any store of the scope changed (had a log or deleted points). */
  compacted: boolean
}

export interface CompactResult {
  scopes: CompactRow[]
  /** Stores rewritten by this run. */
  compacted: number
  /** Commit-log records folded into base files. */
  records: number
  /** Deleted points dropped. */
  dropped: number
}

export interface CompactOptions {
  onProgress?: OnProgress
  lockWaitMs?: number
}

const changed = (store: StoreCompaction): boolean => store.before.logRecords > 0 || store.before.deleted > 0

/**
 * @example
 * await compactScopes(backend, [customScope('user-1')]) // { scopes: [{ key: 'user-1', compacted: true, … }], compacted: 1, records: 12, dropped: 3 }
 */
export const compactScopes = async (backend: StorageBackend, scopes: readonly Scope[] | 'all', options: CompactOptions = {}): Promise<CompactResult> => {
  await finishPendingFor(backend, scopes)
  const list = await resolveScopeList(backend, scopes)
  const result: CompactResult = { scopes: [], compacted: 0, records: 0, dropped: 0 }
  for (const [done, scope] of list.entries()) {
    options.onProgress?.({ done, total: list.length, label: scope.key })
    const stores = await backend.compact(scope, { lockWaitMs: options.lockWaitMs })
    const rewritten = stores.filter(changed)
    result.scopes.push({ ...toRef(scope), stores, compacted: rewritten.length > 0 })
    result.compacted += rewritten.length
    for (const store of rewritten) {
      result.records += store.before.logRecords
      result.dropped += store.before.deleted
    }
  }
  options.onProgress?.({ done: list.length, total: list.length })
  return result
}
