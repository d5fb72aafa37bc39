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
import { measureTree } from '../core/scan.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope, ScopeKind } from '../core/keys.js'
import { forEachConcurrent } from './concurrent.js'
import { recoverPendingOperations } from './recover.js'
import { toIso, toRef } from './scope-ref.js'
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

/** Scopes removed at once: enough to overlap fsync and delete latency, few enough to hold few locks. */
export const CLEANUP_CONCURRENCY = 8

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
  let seen = 0
  for await (const scope of candidates) {
    options.onProgress?.({ done: ++seen, label: scope.key })
    const skip = (reason: string) => plan.skipped.push({ key: scope.key, dir: scope.dir, reason })
    if (!(await backend.scopeExists(scope))) {
      // A scope named by the operator that is not there is most likely a typo: say so, never pass over it.
      if (options.scopes) skip('not found')
      continue
    }
    const last = await backend.lastActiveAt(scope)
    if (last === undefined || last.getTime() >= cutoff) continue
    if (backend.isInUse(scope)) skip('in use in this process')
    else if (await isLockedElsewhere(backend.layout, scope)) skip('locked by another process')
    else plan.targets.push({ ...toRef(scope), scope, bytes: await measureScope(backend, scope), lastActiveAt: toIso(last) })
  }
  plan.result = describeCleanup(plan)
  return plan
}

/** Bytes of both dirs, measured once here and reported by apply (`usage()` would re-read the activity file too). */
const measureScope = async (backend: StorageBackend, scope: Scope): Promise<number> =>
  (await measureTree(backend.layout.vectorsDir(scope))).bytes + (await measureTree(backend.layout.uploadsDir(scope))).bytes

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
 * reported are the plan's: nothing is measured twice. Scopes are removed
 * `CLEANUP_CONCURRENCY` at a time (each has its own lock, intent and trash dir),
 * so the fsyncs of one overlap the deletes of another; results keep plan order.
 */
export const applyCleanup = async (backend: StorageBackend, plan: CleanupPlan, options: ApplyCleanupOptions = {}): Promise<CleanupResult> => {
  if (options.dryRun) return describeCleanup(plan)
  const { layout } = backend
  // Threat: a target swapped for a symlink between plan and apply; test/ops/cleanup.test.ts "never follows a symlinked scope".
  await forEachConcurrent(plan.targets, CLEANUP_CONCURRENCY, async (target) => {
    await assertNoSymlinks(layout, layout.vectorsDir(target.scope))
    await assertNoSymlinks(layout, layout.uploadsDir(target.scope))
  })
  await recoverPendingOperations(backend)
  const cutoff = Date.parse(plan.cutoff)
  const outcomes: Array<{ removed?: CleanupResult['removed'][number]; skipped?: CleanupSkipped }> = plan.targets.map(() => ({}))
  let done = 0
  await forEachConcurrent(plan.targets.keys(), CLEANUP_CONCURRENCY, async (index) => {
    const target = plan.targets[index]!
    const { scope } = target
    const outcome = outcomes[index]!
    const skip = (reason: string) => void (outcome.skipped = { key: scope.key, dir: scope.dir, reason })
    options.onProgress?.({ done: done++, total: plan.targets.length, label: scope.key })
    if (backend.isInUse(scope)) return skip('in use in this process')
    try {
      await withScopeLock(layout, scope, async () => {
        const last = await backend.lastActiveAt(scope)
        if (last !== undefined && last.getTime() >= cutoff) return skip('active again since planning')
        if (!(await backend.scopeExists(scope))) return skip('already removed')
        if (backend.isInUse(scope)) return skip('in use in this process')
        await backend.evict(scope)
        await removeScope(backend, scope)
        outcome.removed = { ...toRef(scope), bytes: target.bytes, lastActiveAt: toIso(last) }
      })
    } catch (error) {
      if (error instanceof LockedError) skip('locked by another process')
      else throw error
    }
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

/** Removes one scope whose lock the caller holds: journal, trash, delete. */
export const removeScope = async (backend: StorageBackend, scope: Scope): Promise<void> => {
  const intent = await beginIntent(backend.layout, { op: 'cleanup', scopes: [scope], phase: 'start', data: {} })
  try {
    crashPoint('cleanup:after-intent')
    await finishCleanup(backend, intent, scope)
  } catch (error) {
    releaseIntent(intent)
    throw error
  }
}

/** Completes a cleanup intent (also the crash replay): the scope goes to trash, trash is deleted. */
export const finishCleanup = async (backend: StorageBackend, intent: JournalIntent, scope: Scope): Promise<void> => {
  await moveScopeToTrash(backend.layout, scope, intent.id, 'cleanup')
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
