/**
 * The apply step of `bento cleanup`: validates the whole plan, then removes each
 * target under its lock, re-checking inactivity there.
 */
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { describeCleanup, type CleanupPlan } from './cleanup-plan.js'
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
 * have become a symlink); then the backend removes each batch, holding each
 * scope's lock and re-checking inactivity under it (the scope may have been used
 * since planning). The bytes reported are the plan's: nothing is measured twice.
 *
 * Scopes go in batches of `CLEANUP_BATCH` (on fs one journal intent and one trash
 * dir per batch, so their fsyncs are paid once per batch, not per scope; on
 * PostgreSQL one short transaction per batch), `CLEANUP_CONCURRENCY` batches at
 * once so one batch's fsyncs overlap another's deletes. A scope locked elsewhere
 * is skipped, not its batch. Results keep plan order.
 */
export const applyCleanup = async (backend: StorageBackend, plan: CleanupPlan, options: ApplyCleanupOptions = {}): Promise<CleanupResult> => {
  if (options.dryRun) return describeCleanup(plan)
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
  const idOf = (scope: Scope) => `${scope.kind}/${scope.dir}`
  const ids = plan.targets.map((target) => idOf(target.scope))
  // Batches of neighbouring keys: a backend that files scopes by key prefix (the fs backend's retired-session
  // markers sit in 256 dirs by the id's first two hex digits, each fsynced) then touches one or two dirs per batch, not sixteen.
  // Plan targets are distinct scopes, so no two ids are equal.
  const byKey = [...ids.keys()].sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1))
  const batches: number[][] = []
  for (let start = 0; start < byKey.length; start += CLEANUP_BATCH) batches.push(byKey.slice(start, start + CLEANUP_BATCH))
  const indexOf = new Map(ids.map((id, index) => [id, index]))
  let done = 0
  await forEachConcurrent(batches, CLEANUP_CONCURRENCY, async (batch) => {
    const scopes: Scope[] = []
    for (const index of batch) {
      options.onProgress?.({ done: done++, total: plan.targets.length, label: plan.targets[index]!.scope.key })
      if (!outcomes[index]!.skipped) scopes.push(plan.targets[index]!.scope)
    }
    if (scopes.length === 0) return
    const lastSeen = new Map<string, Date | undefined>()
    const report = await backend.removeScopes(scopes, {
      retireSessions: true,
      // Under the scope's lock: it may have been used since planning.
      recheck: async (scope) => {
        const last = await backend.lastActiveAt(scope)
        if (last !== undefined && last.getTime() >= cutoff) return { reason: 'active again since planning' }
        lastSeen.set(idOf(scope), last)
        return undefined
      },
    })
    for (const { scope, reason, code } of report.skipped) skip(indexOf.get(idOf(scope))!, reason, code)
    for (const scope of report.removed) {
      const index = indexOf.get(idOf(scope))!
      outcomes[index]!.removed = { ...toRef(scope), bytes: plan.targets[index]!.bytes, lastActiveAt: toIso(lastSeen.get(idOf(scope))) }
    }
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
