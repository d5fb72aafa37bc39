/**
 * Operations on whole scopes, behind the storage contract: move a scope into an
 * empty one, merge one into another without re-embedding, remove scopes with a
 * report, and finish operations a crash interrupted. `ops/` plans and checks
 * (migrate, cleanup) and calls these; how a backend makes each step safe (the fs
 * backend's journal and trash, PostgreSQL's transactions) stays behind them.
 */
import type { Scope } from '../../keys.js'
import type { StoreStats } from '../../store/types.js'
import type { StorePart } from '../types.js'

export interface ScopeMoveProgress {
  done: number
  total?: number
  label?: string
}

export interface ScopeMoveOptions {
  /** Keep the source. */
  copy: boolean
  onProgress?: (progress: ScopeMoveProgress) => void
}

export interface ScopeMergeCounts {
  documents: number
  vectors: number
  uploads: number
  conversations: number
  memories: number
  /** Already in the target with identical content (a replay, or the same document twice). */
  alreadyPresent: number
  /** Documents, memories or conversations added under a new id because the target used theirs (never overwritten). */
  renamed: Array<{ from: string; to: string }>
}

export interface RemoveScopesOptions {
  /**
   * Asked under each scope's lock before anything is removed: a reason to leave the scope
   * (it became active again, it was removed meanwhile), or undefined to remove it.
   */
  recheck?: (scope: Scope) => Promise<{ reason: string; code?: string } | undefined>
  /** Retire removed session ids before they go, so a crash in between cannot bring one back as a new session. */
  retireSessions?: boolean
}

export interface ScopeRemovalReport {
  removed: Scope[]
  /** Scopes left in place: locked by another process or replica, in use here, unsafe, or refused by `recheck`. */
  skipped: Array<{ scope: Scope; reason: string; code?: string }>
}

export interface RecoveryReport {
  /** Intents completed now. */
  completed: Array<{ id: string; op: string }>
  /** Intents left for later: still running elsewhere, or failing (with why). */
  pending: Array<{ id: string; op: string; reason: string }>
}

/** What a cleanup plan needs to know of one scope, read in one pass where the backend can. */
export interface ScopeSurvey {
  exists: boolean
  /** Bytes of its vectors and uploads. */
  bytes: number
  /** Its recorded last activity (a touch still pending in a server may be up to `activityWindowMs` newer). */
  lastActiveAt: Date | undefined
  /** Why operating on it is unsafe (a planted link on the way to its dirs), as `assertScopeSafe` would say. */
  unsafe?: string
  /** False when no other process or replica can hold its lock (no lock at all); true means ask `isLockedElsewhere`. */
  maybeLocked: boolean
}

/** Surveys scopes for a plan; `concurrency` says how many surveys are worth having in flight. */
export interface ScopeSurveyor {
  survey(scope: Scope): Promise<ScopeSurvey>
  readonly concurrency: number
  close(): Promise<void>
}

export interface ScopeMoves {
  /** A store's parameters and counts, without loading it where the backend can; undefined when the scope has no such store. */
  storeStats(scope: Scope, part: StorePart, options?: { lockHeld?: boolean }): Promise<StoreStats | undefined>
  /** Opens a surveyor for planning over many scopes (the fs backend walks on worker threads). */
  openScopeSurveyor(): ScopeSurveyor
  /**
   * Runs `fn` holding every scope's lock (taken in a fixed order, so two callers cannot deadlock),
   * waiting at most `waitMs` for each. Inside it, pass `lockHeld` to `withStore` and call the moves below.
   */
  withScopesLocked<T>(scopes: Scope[], fn: () => Promise<T>, options?: { waitMs?: number }): Promise<T>
  /**
   * Moves (or copies) everything of `from` into `to`, which holds nothing; all or nothing (a crash is
   * finished by `finishPendingOperations`). Call it inside `withScopesLocked([from, to])`.
   */
  moveScope(from: Scope, to: Scope, options: ScopeMoveOptions): Promise<void>
  /**
   * Adds everything of `from` to `to` with the stored vectors (no re-embedding), never overwriting on a
   * name clash, then removes `from` unless `copy`. Call it inside `withScopesLocked([from, to])`.
   */
  mergeScope(from: Scope, to: Scope, options: ScopeMoveOptions): Promise<ScopeMergeCounts>
  /**
   * Removes scopes whose locks are free, taking each without waiting: a scope locked elsewhere, in
   * use here, unsafe or refused by `recheck` is skipped and reported, never waited for.
   */
  removeScopes(scopes: Scope[], options?: RemoveScopesOptions): Promise<ScopeRemovalReport>
  /**
   * Completes every operation a crash interrupted (never throws for one operation's failure: it is
   * reported pending and its scopes keep answering busy). A database backend has none.
   */
  finishPendingOperations(): Promise<RecoveryReport>
}
