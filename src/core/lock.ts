/**
 * Per-scope locks shared by every Bento process on one data dir (a server and
 * the CLI). proper-lockfile makes an atomic lock dir and refreshes its mtime;
 * a lock whose holder died goes stale after `STALE_MS` and is taken over.
 */
import lockfile from 'proper-lockfile'
import * as fs from './fs.js'
import { LockedError } from './errors.js'
import type { Layout } from './layout.js'
import type { Scope } from './keys.js'

export const STALE_MS = 10_000

export interface LockOptions {
  /** How long to keep retrying a held lock before `LockedError`. Default 0 (fail at once). */
  waitMs?: number
}

const heldHere = new Map<string, number>()
// Acquisitions and releases in flight in this process. Their lock dir exists
// before `heldHere` counts it (and after), so a same-process read checking in
// that instant would be told busy by its own write.
// Test: test/reliability/lock-window.test.ts.
const settling = new Map<string, Set<Promise<unknown>>>()

const track = (target: string, pending: Promise<unknown>): void => {
  const set = settling.get(target) ?? new Set()
  settling.set(target, set)
  set.add(pending)
  const done = () => {
    set.delete(pending)
    if (set.size === 0 && settling.get(target) === set) settling.delete(target)
  }
  pending.then(done, done)
}

const acquire = async (layout: Layout, scope: Scope, waitMs: number): Promise<() => Promise<void>> => {
  const target = layout.lockTarget(scope)
  const retries = waitMs > 0 ? { retries: Math.ceil(waitMs / 100), minTimeout: 50, maxTimeout: 200, factor: 1.2 } : 0
  try {
    const locking = lockfile.lock(target, { realpath: false, stale: STALE_MS, update: STALE_MS / 4, retries, onCompromised: () => {} })
    track(target, locking)
    const release = await locking
    heldHere.set(target, (heldHere.get(target) ?? 0) + 1)
    return async () => {
      const releasing = release().catch(() => {})
      track(target, releasing)
      await releasing
      const count = (heldHere.get(target) ?? 1) - 1
      if (count <= 0) heldHere.delete(target)
      else heldHere.set(target, count)
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new LockedError(`Scope "${scope.dir}" is locked by another operation; try again shortly.`)
    }
    throw error
  }
}

/**
 * Runs `fn` holding the locks of every scope given (taken in a fixed order so
 * two processes locking the same pair cannot deadlock).
 */
export const withScopeLocks = async <T>(layout: Layout, scopes: Scope[], fn: () => Promise<T>, options: LockOptions = {}): Promise<T> => {
  await fs.mkdir(layout.locksDir)
  const unique = [...new Map(scopes.map((scope) => [layout.lockTarget(scope), scope])).entries()].sort(([a], [b]) => (a < b ? -1 : 1))
  const releases: Array<() => Promise<void>> = []
  try {
    for (const [, scope] of unique) releases.push(await acquire(layout, scope, options.waitMs ?? 0))
    return await fn()
  } finally {
    for (const release of releases.reverse()) await release()
  }
}

export const withScopeLock = <T>(layout: Layout, scope: Scope, fn: () => Promise<T>, options?: LockOptions): Promise<T> =>
  withScopeLocks(layout, [scope], fn, options)

/** True when another process (not this one) holds the scope's lock and it is not stale. */
export const isLockedElsewhere = async (layout: Layout, scope: Scope): Promise<boolean> => {
  const target = layout.lockTarget(scope)
  const settle = async () => {
    const pending = settling.get(target)
    if (pending) await Promise.allSettled([...pending])
    return heldHere.has(target)
  }
  if (await settle()) return false
  try {
    const locked = await lockfile.check(target, { realpath: false, stale: STALE_MS })
    // The lock dir seen may be one this process began taking while the check ran.
    return locked && !(await settle())
  } catch {
    return false
  }
}
