/**
 * The planning step of `bento cleanup`: which scopes are expired, with their
 * sizes. Changes nothing; `cleanup-apply.ts` carries the plan out.
 */
import { InvalidOptionsError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope, ScopeKind } from '../core/keys.js'
import { forEachConcurrent } from './concurrent.js'
import { recoverPendingOperations } from './recover.js'
import { pendingNotes } from './pending.js'
import { toIso, toRef } from './scope-ref.js'
import type { CleanupResult, CleanupSkipped, OnProgress, PendingNote, ScopeRef } from './types.js'

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
  /**
   * A plan for a dry run: unfinished operations are reported (`result.pending`) and left
   * alone, so nothing changes. Otherwise they are finished first, as every write does.
   */
  dryRun?: boolean
}

export interface CleanupTarget extends ScopeRef {
  scope: Scope
  bytes: number
  lastActiveAt: string | null
}

export interface CleanupPlan {
  olderThanMs: number
  /** The backend's activity window, added to `olderThanMs` (see `StorageBackend.activityWindowMs`). */
  activityWindowMs: number
  /** ISO time: scopes whose recorded last activity is at or after it are kept (now − olderThan − window). */
  cutoff: string
  targets: CleanupTarget[]
  skipped: CleanupSkipped[]
  /** Unfinished operations a dry-run plan found and left alone. */
  pending: PendingNote[]
  /** The dry-run answer: exactly what applying would remove, with bytes. */
  result: CleanupResult
}

const DEFAULT_KINDS: ScopeKind[] = ['session']

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
  // A dry run changes nothing: it reports unfinished operations instead (test/reliability/read-only-pending.test.ts).
  const pending = options.dryRun ? await pendingNotes(backend) : (await recoverPendingOperations(backend), [])
  const now = options.now === undefined ? Date.now() : Number(options.now)
  // Threat: a live session removed because its activity record lags (a server writes it at most once per window);
  // test/ops/cleanup.test.ts "never removes a session used within the activity window".
  const activityWindowMs = backend.activityWindowMs
  const cutoff = now - options.olderThanMs - activityWindowMs
  const kinds = options.kinds ?? DEFAULT_KINDS
  const plan: CleanupPlan = {
    olderThanMs: options.olderThanMs,
    activityWindowMs,
    cutoff: new Date(cutoff).toISOString(),
    targets: [],
    skipped: [],
    pending,
    result: emptyResult(activityWindowMs, new Date(cutoff).toISOString()),
  }
  const candidates: AsyncIterable<Scope> | Scope[] =
    options.scopes ?? backend.listScopes({ kinds: kinds.filter((kind) => kind !== 'shared') })
  // Scopes are judged concurrently from the backend's survey (fs: one walk per scope, on worker threads), then put back in listing order.
  const judged: Array<{ order: number; target?: CleanupTarget; skipped?: CleanupSkipped }> = []
  const surveyor = backend.openScopeSurveyor()
  let seen = 0
  try {
    await forEachConcurrent(numbered(candidates), surveyor.concurrency, async ({ order, scope }) => {
      options.onProgress?.({ done: ++seen, label: scope.key })
      const skip = (reason: string, code?: string) => void judged.push({ order, skipped: { key: scope.key, dir: scope.dir, reason, ...(code ? { code } : {}) } })
      const survey = await surveyor.survey(scope)
      if (!survey.exists) {
        // A scope named by the operator that is not there is most likely a typo: say so, never pass over it.
        if (options.scopes) skip('not found')
        return
      }
      const last = survey.lastActiveAt
      if (last === undefined || last.getTime() >= cutoff) return
      if (survey.unsafe) skip(survey.unsafe, 'unsafe_path')
      else if (backend.isInUse(scope)) skip('in use in this process')
      else if (survey.maybeLocked && (await backend.isLockedElsewhere(scope))) skip('locked by another process')
      else judged.push({ order, target: { ...toRef(scope), scope, bytes: survey.bytes, lastActiveAt: toIso(last) } })
    })
  } finally {
    await surveyor.close()
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

const emptyResult = (activityWindowMs: number, cutoff: string): CleanupResult => ({ dryRun: true, removed: [], skipped: [], freedBytes: 0, activityWindowMs, cutoff })

/** The dry-run answer: exactly what `applyCleanup` would remove, with bytes. */
export const describeCleanup = (plan: Omit<CleanupPlan, 'result'>): CleanupResult => ({
  dryRun: true,
  removed: plan.targets.map(({ scope: _scope, ...target }) => target),
  skipped: plan.skipped,
  freedBytes: plan.targets.reduce((sum, target) => sum + target.bytes, 0),
  activityWindowMs: plan.activityWindowMs,
  cutoff: plan.cutoff,
  ...(plan.pending.length > 0 ? { pending: plan.pending } : {}),
})

