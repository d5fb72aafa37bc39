/**
 * `bento cleanup`: remove scopes (sessions by default) inactive for longer than
 * a given age — vectors, uploads, activity, conversations and memory together.
 */
import { InvalidOptionsError, LockedError } from '../core/errors.js'
import { crashPoint } from '../core/faults.js'
import { beginIntent, endIntent, releaseIntent } from '../core/journal.js'
import type { JournalIntent } from '../core/journal.js'
import { assertNoSymlinks } from '../core/layout.js'
import { isLockedElsewhere, withScopeLock } from '../core/lock.js'
import { createScopeWalker } from '../core/walk-pool.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope, ScopeKind } from '../core/keys.js'
import { forEachConcurrent } from './concurrent.js'
import { recoverPendingOperations } from './recover.js'
import { scopeOfIntent, toIso, toRef } from './scope-ref.js'
import { emptyTrash, moveScopeToTrash } from './trash.js'
import type { CleanupResult, CleanupSkipped, OnProgress, ScopeRef } from './types.js'

export interface CleanupOptions {
  /** Scopes whose last activity is older than this are removed. */
  olderThanMs: number
  /** Default `['session']`; `'custom'` can be added. `shared` is only ever removed when named in `scopes`. */
  kinds?: ScopeKind[]
  /** Only these scopes are candidates (any kind, `shared` included); one that does not exist is skipped as `not found`. */
  scopes?: Scope[]
  /** Reference time (tests); default now. */
  now?: Date | number
  onProgress?: OnProgress
}

export interface CleanupTarget extends ScopeRef {
  scope: Scope
  bytes: number
  lastActiveAt: string | null
}

export interface CleanupPlan {
  olderThanMs: number
  /** ISO time: scopes last active at or after it are kept. */
  cutoff: string
  targets: CleanupTarget[]
  skipped: CleanupSkipped[]
  /** The dry-run answer: exactly what applying would remove, with bytes. */
  result: CleanupResult
}

export interface ApplyCleanupOptions {
  onProgress?: OnProgress
  /** Return the plan as a result and change nothing. */
  dryRun?: boolean
}

const DEFAULT_KINDS: ScopeKind[] = ['session']

/** Scopes removed under one journal intent and one trash dir. */
export const CLEANUP_BATCH = 16
/** Batches removed at once: enough to overlap fsync and delete latency, few enough to hold few locks. */
export const CLEANUP_CONCURRENCY = 4

/**
 * Which scopes are expired, with their sizes. Changes nothing.
 *
 * @example
 * const plan = await planCleanup(backend, { olderThanMs: 24 * 3600_000 })
 * const result = await applyCleanup(backend, plan)   // or { dryRun: true }
 */
export const planCleanup = async (backend: StorageBackend, options: CleanupOptions): Promise<CleanupPlan> => {
  if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
    throw new InvalidOptionsError('--older-than must be a duration of zero or more.')
  }
  await recoverPendingOperations(backend)
  const now = options.now === undefined ? Date.now() : Number(options.now)
  const cutoff = now - options.olderThanMs
  const kinds = options.kinds ?? DEFAULT_KINDS
  const plan: CleanupPlan = { olderThanMs: options.olderThanMs, cutoff: new Date(cutoff).toISOString(), targets: [], skipped: [], result: emptyResult() }
  const candidates: AsyncIterable<Scope> | Scope[] =
    options.scopes ?? backend.listScopes({ kinds: kinds.filter((kind) => kind !== 'shared') })
  // Scopes are judged concurrently (expired ones measured on the walk workers), then put back in listing order.
  const judged: Array<{ order: number; target?: CleanupTarget; skipped?: CleanupSkipped }> = []
  const walker = createScopeWalker()
  let seen = 0
  try {
    await forEachConcurrent(numbered(candidates), walker.concurrency, async ({ order, scope }) => {
      options.onProgress?.({ done: ++seen, label: scope.key })
      const skip = (reason: string) => void judged.push({ order, skipped: { key: scope.key, dir: scope.dir, reason } })
      if (!(await backend.scopeExists(scope))) {
        // A scope named by the operator that is not there is most likely a typo: say so, never pass over it.
        if (options.scopes) skip('not found')
        return
      }
      const last = await backend.lastActiveAt(scope)
      if (last === undefined || last.getTime() >= cutoff) return
      if (backend.isInUse(scope)) skip('in use in this process')
      else if (await isLockedElsewhere(backend.layout, scope)) skip('locked by another process')
      else {
        const walk = await walker.walk({ vectorsDir: backend.layout.vectorsDir(scope), uploadsDir: backend.layout.uploadsDir(scope) })
        judged.push({ order, target: { ...toRef(scope), scope, bytes: walk.vectors.bytes + walk.uploads.bytes, lastActiveAt: toIso(last) } })
      }
    })
  } finally {
    await walker.close()
  }
  for (const { target, skipped } of judged.sort((a, b) => a.order - b.order)) {
    if (target) plan.targets.push(target)
    if (skipped) plan.skipped.push(skipped)
  }
  plan.result = describeCleanup(plan)
  return plan
}

async function* numbered(scopes: AsyncIterable<Scope> | Scope[]): AsyncGenerator<{ order: number; scope: Scope }> {
  let order = 0
  for await (const scope of scopes) yield { order: order++, scope }
}

const emptyResult = (): CleanupResult => ({ dryRun: true, removed: [], skipped: [], freedBytes: 0 })

/** The dry-run answer: exactly what `applyCleanup` would remove, with bytes. */
export const describeCleanup = (plan: Omit<CleanupPlan, 'result'>): CleanupResult => ({
  dryRun: true,
  removed: plan.targets.map(({ scope: _scope, ...target }) => target),
  skipped: plan.skipped,
  freedBytes: plan.targets.reduce((sum, target) => sum + target.bytes, 0),
})

/**
 * Removes the planned scopes. The whole plan is validated first (no target may
 * have become a symlink); then each removal holds the scope's lock, re-checks
 * inactivity under it (the scope may have been used since planning), evicts the
 * open store and moves both dirs to trash behind a journal intent. The bytes
 * reported are the plan's: nothing is measured twice.
 *
 * Scopes go in batches of `CLEANUP_BATCH`, each under one intent and one trash
 * dir (the intent's fsyncs and the trash dir are paid once per batch, not per
 * scope), `CLEANUP_CONCURRENCY` batches at once so one batch's fsyncs overlap
 * another's deletes. A scope locked elsewhere is skipped, not its batch. Results
 * keep plan order.
 */
export const applyCleanup = async (backend: StorageBackend, plan: CleanupPlan, options: ApplyCleanupOptions = {}): Promise<CleanupResult> => {
  if (options.dryRun) return describeCleanup(plan)
  const { layout } = backend
  // Threat: a target swapped for a symlink between plan and apply; test/ops/cleanup.test.ts "never follows a symlinked scope".
  await forEachConcurrent(plan.targets, 8, async (target) => {
    await assertNoSymlinks(layout, layout.vectorsDir(target.scope))
    await assertNoSymlinks(layout, layout.uploadsDir(target.scope))
  })
  await recoverPendingOperations(backend)
  const cutoff = Date.parse(plan.cutoff)
  const outcomes: Array<{ removed?: CleanupResult['removed'][number]; skipped?: CleanupSkipped }> = plan.targets.map(() => ({}))
  const skip = (index: number, reason: string) => {
    const { scope } = plan.targets[index]!
    outcomes[index]!.skipped = { key: scope.key, dir: scope.dir, reason }
  }
  const batches: number[][] = []
  for (let start = 0; start < plan.targets.length; start += CLEANUP_BATCH) {
    batches.push([...plan.targets.keys()].slice(start, start + CLEANUP_BATCH))
  }
  let done = 0
  await forEachConcurrent(batches, CLEANUP_CONCURRENCY, async (batch) => {
    const candidates: number[] = []
    for (const index of batch) {
      options.onProgress?.({ done: done++, total: plan.targets.length, label: plan.targets[index]!.scope.key })
      if (backend.isInUse(plan.targets[index]!.scope)) skip(index, 'in use in this process')
      else candidates.push(index)
    }
    const lockOrder = candidates.sort((a, b) => (layout.lockTarget(plan.targets[a]!.scope) < layout.lockTarget(plan.targets[b]!.scope) ? -1 : 1))
    await withEachLock(backend, lockOrder.map((index) => plan.targets[index]!.scope), (i) => skip(lockOrder[i]!, 'locked by another process'), async (held) => {
      const removable: Array<{ index: number; last: Date | undefined }> = []
      for (const i of held) {
        const index = lockOrder[i]!
        const { scope } = plan.targets[index]!
        const last = await backend.lastActiveAt(scope)
        if (last !== undefined && last.getTime() >= cutoff) skip(index, 'active again since planning')
        else if (!(await backend.scopeExists(scope))) skip(index, 'already removed')
        else if (backend.isInUse(scope)) skip(index, 'in use in this process')
        else removable.push({ index, last })
      }
      if (removable.length === 0) return
      for (const { index } of removable) await backend.evict(plan.targets[index]!.scope)
      // Before removal: a crash in between must not let the id come back as a new, empty session.
      for (const { index } of removable) await backend.retireSession(plan.targets[index]!.scope)
      await removeScopes(backend, removable.map(({ index }) => plan.targets[index]!.scope))
      for (const { index, last } of removable) {
        const target = plan.targets[index]!
        outcomes[index]!.removed = { ...toRef(target.scope), bytes: target.bytes, lastActiveAt: toIso(last) }
      }
    })
  })
  options.onProgress?.({ done, total: plan.targets.length })
  const result: CleanupResult = { dryRun: false, removed: [], skipped: [...plan.skipped], freedBytes: 0 }
  for (const { removed, skipped } of outcomes) {
    if (skipped) result.skipped.push(skipped)
    if (removed) {
      result.removed.push(removed)
      result.freedBytes += removed.bytes
    }
  }
  return result
}

/**
 * Runs `fn` holding the locks of those `scopes` (given in lock order) that are
 * free, passing their positions; a scope locked elsewhere is reported through
 * `onLocked` and left out. Locks are taken without waiting, so two processes
 * cannot deadlock.
 */
const withEachLock = async (
  backend: StorageBackend,
  scopes: Scope[],
  onLocked: (position: number) => void,
  fn: (held: number[]) => Promise<void>,
  from = 0,
  held: number[] = [],
): Promise<void> => {
  if (from === scopes.length) return fn(held)
  let entered = false
  try {
    await withScopeLock(backend.layout, scopes[from]!, () => {
      entered = true
      return withEachLock(backend, scopes, onLocked, fn, from + 1, [...held, from])
    })
  } catch (error) {
    // Only a failure to take this scope's lock skips it; anything thrown while holding it is the caller's.
    if (entered || !(error instanceof LockedError)) throw error
    onLocked(from)
    await withEachLock(backend, scopes, onLocked, fn, from + 1, held)
  }
}

/** Removes scopes whose locks the caller holds: one journal intent and one trash dir for all, then the delete. */
export const removeScopes = async (backend: StorageBackend, scopes: Scope[]): Promise<void> => {
  const intent = await beginIntent(backend.layout, { op: 'cleanup', scopes, phase: 'start', data: {} })
  try {
    crashPoint('cleanup:after-intent')
    await finishCleanup(backend, intent)
  } catch (error) {
    releaseIntent(intent)
    throw error
  }
}

/** Removes one scope whose lock the caller holds: journal, trash, delete. */
export const removeScope = (backend: StorageBackend, scope: Scope): Promise<void> => removeScopes(backend, [scope])

/**
 * Completes a cleanup intent (also the crash replay): every scope it names goes
 * to trash (slot `<i>-` in a batch), then the trash is deleted. The scopes are
 * the intent's own; `_first` (what recover.ts passes) is not needed.
 */
export const finishCleanup = async (backend: StorageBackend, intent: JournalIntent, _first?: Scope): Promise<void> => {
  const scopes = intent.scopes.map((ref) => scopeOfIntent(ref))
  for (const [i, scope] of scopes.entries()) {
    await moveScopeToTrash(backend.layout, scope, intent.id, 'cleanup', scopes.length === 1 ? '' : `${i}-`)
  }
  crashPoint('cleanup:after-trash')
  await emptyTrash(backend.layout, intent.id)
  await endIntent(backend.layout, intent)
}

export interface CleanupExpiredOptions {
  /** Sessions idle longer than this are removed (the seed's default is 24 h). */
  ttlMs: number
  now?: Date | number
}

/**
 * The seed's `cleanupSessions`: remove expired sessions now. Safe to call on an
 * interval from a server: scopes in use or locked are skipped, not waited for.
 *
 * @example
 * setInterval(() => void cleanupExpiredSessions(backend, { ttlMs: 24 * 3600_000 }), 30 * 60_000)
 */
export const cleanupExpiredSessions = async (backend: StorageBackend, options: CleanupExpiredOptions): Promise<CleanupResult> => {
  const plan = await planCleanup(backend, { olderThanMs: options.ttlMs, kinds: ['session'], ...(options.now === undefined ? {} : { now: options.now }) })
  return applyCleanup(backend, plan)
}
