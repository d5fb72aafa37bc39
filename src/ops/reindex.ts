/**
 * `bento reindex`: builds the lexical index of stores written before it existed
 * (or adopted from LangChain), or whose index file is damaged or outdated (what
 * `inspect` reports), from their stored texts: no embedding, one commit per store,
 * under the scope's lock. A store whose index is current is left alone, so a second
 * run changes nothing; `force` rebuilds it anyway.
 */
import type { StorageBackend, StorePart } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { toRef } from './scope-ref.js'
import type { OnProgress, ScopeRef } from './types.js'
import { resolveScopeList } from './resolve-scope.js'
import { finishPendingFor } from './recover.js'

/** `built`: indexed now; `present`: had a current one already; `none`: no store (nothing to index). */
export type ReindexOutcome = 'built' | 'present' | 'none'

export interface ReindexRow extends ScopeRef {
  documents: ReindexOutcome
  memory: ReindexOutcome
  /** Live passages indexed now, over both stores. */
  passages: number
}

export interface ReindexResult {
  scopes: ReindexRow[]
  /** Stores indexed by this run. */
  built: number
}

export interface ReindexOptions {
  onProgress?: OnProgress
  /** Rebuild every store's lexical index, even one that looks current. Default false. */
  force?: boolean
}

const PARTS: StorePart[] = ['documents', 'memory']

const reindexPart = async (backend: StorageBackend, scope: Scope, part: StorePart, force: boolean): Promise<{ outcome: ReindexOutcome; passages: number }> => {
  const before = await backend.withStore(scope, async (store) => store.stats(), { part })
  // Nothing on disk (a store object opened in memory only): nothing to index, and no files to create.
  if (before.revision === 0 && before.live === 0 && before.deleted === 0) return { outcome: 'none', passages: 0 }
  // stats() counts a file only checked as a whole as present; the store's reindex decodes it and rebuilds a damaged one.
  if (before.lexical && !force && before.lexicalProblem === undefined) {
    const current = await backend.withStore(scope, async (store) => (await store.searchLexical('', 1)) !== undefined, { part })
    if (current) return { outcome: 'present', passages: 0 }
  }
  return backend.withStore(scope, async (store) => {
    const built = await store.reindex({ force })
    return { outcome: built ? 'built' : 'present', passages: built ? store.stats().live : 0 }
  }, { part, write: true })
}

const reindexScope = async (backend: StorageBackend, scope: Scope, force: boolean): Promise<ReindexRow> => {
  const row: ReindexRow = { ...toRef(scope), documents: 'none', memory: 'none', passages: 0 }
  for (const part of PARTS) {
    const { outcome, passages } = await reindexPart(backend, scope, part, force)
    row[part] = outcome
    row.passages += passages
  }
  return row
}

/**
 * @example
 * await reindexScopes(backend, [customScope('user-1')]) // { scopes: [{ key: 'user-1', documents: 'built', … }], built: 1 }
 * await reindexScopes(backend, 'all', { onProgress })
 * await reindexScopes(backend, [customScope('user-1')], { force: true }) // rebuilt even when current
 */
export const reindexScopes = async (backend: StorageBackend, scopes: readonly Scope[] | 'all', options: ReindexOptions = {}): Promise<ReindexResult> => {
  await finishPendingFor(backend, scopes)
  const list = await resolveScopeList(backend, scopes)
  const result: ReindexResult = { scopes: [], built: 0 }
  for (const [done, scope] of list.entries()) {
    options.onProgress?.({ done, total: list.length, label: scope.key })
    const row = await reindexScope(backend, scope, options.force === true)
    result.scopes.push(row)
    result.built += Number(row.documents === 'built') + Number(row.memory === 'built')
  }
  options.onProgress?.({ done: list.length, total: list.length })
  return result
}
