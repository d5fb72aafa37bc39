/**
 * The apply step of `bento cleanup`: validates the whole plan, then removes each
 * target under its lock, re-checking inactivity there.
 */
import { LockedError } from '../core/errors.js'
import { withScopeLock } from '../core/lock.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { describeCleanup, type CleanupPlan } from './cleanup-plan.js'
import { removeScopes } from './cleanup-remove.js'
import { forEachConcurrent } from './concurrent.js'
import { recoverPendingOperations } from './recover.js'
import { unsafeReason } from './scope-safety.js'
import { toIso, toRef } from './scope-ref.js'
import type { CleanupResult, CleanupSkipped, OnProgress } from './types.js'

export interface ApplyCleanupOptions {
  onProgress?: OnProgress
  /** Return the plan as a result and change nothing. */
  dryRun?: boolean
}

/** Scopes removed under one journal intent and one trash dir. */
export const CLEANUP_BATCH = 16
/** Batches removed at once: enough to overlap fsync and delete latency, few enough to hold few locks. */
export const CLEANUP_CONCURRENCY = 4

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
  const outcomes: Array<{ removed?: CleanupResult['removed'][number]; skipped?: CleanupSkipped }> = plan.targets.map(() => ({}))
  const skip = (index: number, reason: string, code?: string) => {
    const { scope } = plan.targets[index]!
    outcomes[index]!.skipped = { key: scope.key, dir: scope.dir, reason, ...(code ? { code } : {}) }
  }
  // Threat: a target swapped for a symlink between plan and apply; test/ops/cleanup.test.ts "a link planted between
  // plan and apply". The whole plan is checked before the first removal; a tampered scope is skipped, not the plan.
  await forEachConcurrent([...plan.targets.keys()], 8, async (index) => {
    const unsafe = await unsafeReason(backend, plan.targets[index]!.scope)
    if (unsafe) skip(index, unsafe, 'unsafe_path')
  })
  await recoverPendingOperations(backend)
  const cutoff = Date.parse(plan.cutoff)
  const batches: number[][] = []
  for (let start = 0; start < plan.targets.length; start += CLEANUP_BATCH) {
    batches.push([...plan.targets.keys()].slice(start, start + CLEANUP_BATCH))
  }
  let done = 0
  await forEachConcurrent(batches, CLEANUP_CONCURRENCY, async (batch) => {
    const candidates: number[] = []
    for (const index of batch) {
      options.onProgress?.({ done: done++, total: plan.targets.length, label: plan.targets[index]!.scope.key })
      if (outcomes[index]!.skipped) continue
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
        const unsafe = await unsafeReason(backend, scope)
        if (unsafe) skip(index, unsafe, 'unsafe_path')
        else if (last !== undefined && last.getTime() >= cutoff) skip(index, 'active again since planning')
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
  const result: CleanupResult = { dryRun: false, removed: [], skipped: [...plan.skipped], freedBytes: 0, activityWindowMs: plan.activityWindowMs, cutoff: plan.cutoff }
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

