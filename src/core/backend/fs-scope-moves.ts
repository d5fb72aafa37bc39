/**
 * The fs backend's `ScopeMoves`: moves, merges and removals of scope dirs behind
 * journal intents and a trash dir (`fs-migrate-rename.ts`, `fs-migrate-merge.ts`,
 * `fs-remove.ts`), and their crash replay (`fs-recover.ts`).
 */
import { LockedError, UnsafePathError } from '../errors.js'
import { crashPoint } from '../faults.js'
import * as fs from '../fs.js'
import { beginIntent, releaseIntent } from '../journal.js'
import type { JournalIntent } from '../journal.js'
import type { Scope } from '../keys.js'
import type { Layout } from '../layout.js'
import { withScopeLock, withScopeLocks } from '../lock.js'
import { retireSessions } from '../retired-sessions.js'
import { createFsSurveyor } from './fs-survey.js'
import type { RemoveScopesOptions, ScopeMoves, ScopeRemovalReport } from './contract/scope-moves.js'
import type { StorageBackend } from './types.js'

// The steps of a move, merge, removal or replay are loaded when one runs: `bento du`, ls and a dry run
// never move anything, and the merge alone pulls in the lexical index (docs/ARCHITECTURE.md, "What the CLI loads").
const loadRename = () => import('./fs-migrate-rename.js')
const loadMerge = () => import('./fs-migrate-merge.js')
const loadRemove = () => import('./fs-remove.js')
const loadRecover = () => import('./fs-recover.js')

/** What the fs moves need of their backend. */
export interface FsMoveDeps {
  layout: Layout
  withStore: StorageBackend['withStore']
  evict(scope: Scope): Promise<void>
  isInUse(scope: Scope): boolean
  scopeExists(scope: Scope): Promise<boolean>
  assertScopeSafe(scope: Scope): Promise<void>
  lastActiveAt(scope: Scope): Promise<Date | undefined>
}

const isDir = async (p: string) => (await fs.lstatOrUndefined(p))?.isDirectory() === true

/**
 * Runs `fn` holding the locks of those `scopes` (given in lock order) that are
 * free, passing their positions; a scope locked elsewhere is reported through
 * `onLocked` and left out. Locks are taken without waiting, so two processes
 * cannot deadlock.
 */
const withEachLock = async (
  layout: Layout,
  scopes: Scope[],
  onLocked: (position: number) => void,
  fn: (held: number[]) => Promise<void>,
  from = 0,
  held: number[] = [],
): Promise<void> => {
  if (from === scopes.length) return fn(held)
  let entered = false
  try {
    await withScopeLock(layout, scopes[from]!, () => {
      entered = true
      return withEachLock(layout, scopes, onLocked, fn, from + 1, [...held, from])
    })
  } catch (error) {
    // Only a failure to take this scope's lock skips it; anything thrown while holding it is the caller's.
    if (entered || !(error instanceof LockedError)) throw error
    onLocked(from)
    await withEachLock(layout, scopes, onLocked, fn, from + 1, held)
  }
}

export const createFsScopeMoves = (deps: FsMoveDeps): ScopeMoves => {
  const { layout } = deps

  /** Begins the intent after the last check and runs `step`; the intent stays for the replay when `step` throws. */
  const journaled = async <T>(op: string, from: Scope, to: Scope, copy: boolean, step: (intent: JournalIntent) => Promise<T>): Promise<T> => {
    // Threat: a link planted inside the source that a copy would follow; checked for the whole tree before the first change.
    // Test: test/ops/migrate.test.ts "refuses to migrate a scope holding a symlink".
    const [{ TREES }, { assertTreeHasNoLinks }] = await Promise.all([import('./fs-trash.js'), import('./fs-copy-tree.js')])
    for (const tree of TREES) await assertTreeHasNoLinks(layout.scopeDir(tree, from))
    await deps.evict(from)
    await deps.evict(to)
    const intent = await beginIntent(layout, { op, scopes: [from, to], phase: 'start', data: { copy } })
    try {
      crashPoint('migrate:after-intent')
      return await step(intent)
    } catch (error) {
      releaseIntent(intent)
      throw error
    } finally {
      await deps.evict(to)
    }
  }

  const removeScopes = async (scopes: Scope[], options: RemoveScopesOptions = {}): Promise<ScopeRemovalReport> => {
    const report: ScopeRemovalReport = { removed: [], skipped: [] }
    const skip = (scope: Scope, reason: string, code?: string) => void report.skipped.push({ scope, reason, ...(code ? { code } : {}) })
    const lockOrder = scopes
      .filter((scope) => (deps.isInUse(scope) ? (skip(scope, 'in use in this process'), false) : true))
      .sort((a, b) => (layout.lockTarget(a) < layout.lockTarget(b) ? -1 : 1))
    await withEachLock(layout, lockOrder, (i) => skip(lockOrder[i]!, 'locked by another process'), async (held) => {
      const removable: Scope[] = []
      for (const i of held) {
        const scope = lockOrder[i]!
        try {
          await deps.assertScopeSafe(scope)
        } catch (error) {
          if (!(error instanceof UnsafePathError)) throw error
          skip(scope, `unsafe path: ${error.message}`, 'unsafe_path')
          continue
        }
        const refused = await options.recheck?.(scope)
        if (refused) skip(scope, refused.reason, refused.code)
        else if (!(await deps.scopeExists(scope))) skip(scope, 'already removed')
        else if (deps.isInUse(scope)) skip(scope, 'in use in this process')
        else removable.push(scope)
      }
      if (removable.length === 0) return
      for (const scope of removable) await deps.evict(scope)
      // Before removal: a crash in between must not let the id come back as a new, empty session.
      if (options.retireSessions) await retireSessions(layout, removable)
      await (await loadRemove()).removeScopesJournaled(layout, removable)
      report.removed.push(...removable)
    })
    return report
  }

  return {
    async storeStats(scope, part, options = {}) {
      const dir = part === 'memory' ? layout.memoryDir(scope) : layout.vectorsDir(scope)
      if (!(await isDir(dir))) return undefined
      // The manifest answers in constant time; the store is opened only when it cannot (a pending commit, an older manifest).
      const { peekStore } = await import('../store/peek.js')
      return (await peekStore(dir))?.stats ?? deps.withStore(scope, async (store) => store.stats(), { part, lockHeld: options.lockHeld === true })
    },
    openScopeSurveyor: () => createFsSurveyor(deps),
    withScopesLocked: (scopes, fn, options = {}) => withScopeLocks(layout, scopes, fn, { waitMs: options.waitMs ?? 0 }),
    moveScope: (from, to, options) =>
      journaled('migrate-rename', from, to, options.copy, async (intent) => {
        await (await loadRename()).runRenameMigration(layout, intent, from, to)
        options.onProgress?.({ done: 1, total: 1, label: 'renamed' })
      }),
    mergeScope: (from, to, options) =>
      journaled('migrate-merge', from, to, options.copy, async (intent) => (await loadMerge()).runMergeMigration(deps, intent, from, to, options.onProgress)),
    removeScopes,
    finishPendingOperations: async () => (await loadRecover()).recoverFsOperations(deps),
  }
}
