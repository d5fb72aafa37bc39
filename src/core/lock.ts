/**
 * Per-scope locks shared by every Bento process on one data dir (a server and
 * the CLI). proper-lockfile makes an atomic lock dir and refreshes its mtime;
 * a lock whose holder died goes stale after `STALE_MS` and is taken over.
 *
 * A lock can still be lost: a holder whose thread stalls past `STALE_MS` looks
 * dead and is taken over. So a lock is never trusted silently. proper-lockfile's
 * `onCompromised` marks it lost, and every write that publishes (a store commit,
 * an upload write or delete, a migrate rename) first calls `assertLocksHeld`,
 * which checks the lock dir is still the one this process made (same inode and
 * birth time) and was refreshed recently enough that nobody can take it over
 * before the write ends. A lost lock aborts the operation with `LockLostError`.
 * Test: test/reliability/lock-loss.test.ts (the reproduced migrate-during-upload loss).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import nodeFs from 'node:fs'
import lockfile from 'proper-lockfile'
import * as fs from './fs.js'
import { LockedError, LockLostError } from './errors.js'
import { ensureDir, type Layout } from './layout.js'
import type { Scope } from './keys.js'

/**
 * A lock not refreshed for this long is taken over. Well above any extraction
 * budget, though extraction no longer runs under a lock nor on the thread that
 * refreshes it; a killed holder's lock is recovered after this long.
 */
export const STALE_MS = 30_000
/** A publish needs the lock refreshed within this: the rest of STALE_MS is the margin for the write itself. */
const PUBLISH_MARGIN_MS = STALE_MS / 2

export interface LockOptions {
  /** How long to keep retrying a held lock before `LockedError`. Default 0 (fail at once). */
  waitMs?: number
}

interface HeldLock {
  scope: Scope
  lockDir: string
  ino: number
  birthtimeMs: number
  lost: LockLostError | undefined
  /** Set once its release began: its dir may vanish any instant, which says nothing of a takeover. */
  releasing: boolean
}

const heldLocks = new AsyncLocalStorage<readonly HeldLock[]>()

// The locks this process holds, per lock target. One that was lost (taken over by another
// process) no longer makes the scope this process's: reads here must see it busy like anywhere else.
const heldHere = new Map<string, Set<HeldLock>>()
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

const lostError = (lock: HeldLock, why: string): LockLostError =>
  new LockLostError(`The lock of scope "${lock.scope.dir}" was lost (${why}); nothing more was written. Try again.`)

const isOurs = (lock: HeldLock, stats: nodeFs.Stats | undefined): boolean =>
  stats !== undefined && stats.ino === lock.ino && stats.birthtimeMs === lock.birthtimeMs

/**
 * The fs proper-lockfile uses for one lock. Threat: a holder that lost its lock
 * without proper-lockfile noticing (its heartbeat had not run yet) removing the
 * new owner's lock dir when it releases, or at exit. Once this lock is held,
 * its dir is removed only while it is still the one this process made.
 */
// proper-lockfile probes the file system's mtime precision (a utimes and a stat) once per
// fs object it is given and caches the answer on it; every lock gets its own fenced fs, so
// the cache is carried over from one to the next here (cleanup takes a lock per scope).
const lockFsBase: typeof nodeFs = { ...nodeFs }
const keepProbeCache = (used: typeof nodeFs): void => {
  for (const symbol of Object.getOwnPropertySymbols(used)) {
    if (!Object.getOwnPropertySymbols(lockFsBase).includes(symbol)) Object.defineProperty(lockFsBase, symbol, { value: (used as unknown as Record<symbol, unknown>)[symbol], enumerable: true })
  }
}

const fencedFs = (lock: HeldLock): typeof nodeFs => {
  const mayRemove = (stats: nodeFs.Stats | undefined): boolean => {
    if (lock.ino === -1) return true // taking over a stale lock, not releasing ours
    if (!lock.lost && !isOurs(lock, stats)) lock.lost = lostError(lock, 'another process took it over')
    return lock.lost === undefined
  }
  return {
    ...lockFsBase,
    rmdir: ((dir: string, callback: (error: NodeJS.ErrnoException | null) => void) => {
      nodeFs.lstat(dir, (_, stats) => (mayRemove(stats) ? nodeFs.rmdir(dir, callback) : callback(null)))
    }) as typeof nodeFs.rmdir,
    rmdirSync: ((dir: string) => {
      let stats: nodeFs.Stats | undefined
      try {
        stats = nodeFs.lstatSync(dir)
      } catch {
        stats = undefined
      }
      if (mayRemove(stats)) nodeFs.rmdirSync(dir)
    }) as typeof nodeFs.rmdirSync,
  }
}

const acquire = async (layout: Layout, scope: Scope, waitMs: number): Promise<{ held: HeldLock; release: () => Promise<void> }> => {
  const target = layout.lockTarget(scope)
  const retries = waitMs > 0 ? { retries: Math.ceil(waitMs / 100), minTimeout: 50, maxTimeout: 200, factor: 1.2 } : 0
  const held: HeldLock = { scope, lockDir: `${target}.lock`, ino: -1, birthtimeMs: -1, lost: undefined, releasing: false }
  const onCompromised = (error: Error) => {
    held.lost ??= lostError(held, error.message)
  }
  // The lock counts as held here only once its dir's identity is recorded: a same-process read
  // checking in between would otherwise see a dir that is not "ours" and mark the lock lost.
  const lockFs = fencedFs(held)
  const taking = (async () => {
    const release = await lockfile.lock(target, { realpath: false, stale: STALE_MS, update: STALE_MS / 4, retries, onCompromised, fs: lockFs })
    keepProbeCache(lockFs)
    const stats = await fs.lstatOrUndefined(held.lockDir).catch(() => undefined)
    if (stats) Object.assign(held, { ino: stats.ino, birthtimeMs: stats.birthtimeMs })
    else held.lost = lostError(held, 'its lock dir vanished as it was taken')
    const mine = heldHere.get(target) ?? new Set<HeldLock>()
    heldHere.set(target, mine)
    mine.add(held)
    return release
  })()
  track(target, taking)
  let release: () => Promise<void>
  try {
    release = await taking
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new LockedError(`Scope "${scope.dir}" is locked by another operation; try again shortly.`)
    }
    throw error
  }
  return {
    held,
    release: async () => {
      held.releasing = true
      // A compromised lock is no longer proper-lockfile's: this release removes nothing another process holds.
      const releasing = release().catch(() => {})
      track(target, releasing)
      await releasing
      const mine = heldHere.get(target)
      mine?.delete(held)
      if (mine?.size === 0) heldHere.delete(target)
    },
  }
}

/**
 * Throws `LockLostError` unless every scope lock the calling operation holds is
 * still this process's and fresh. Call it right before publishing a change;
 * outside any `withScopeLocks` it does nothing.
 *
 * @example
 * await assertLocksHeld() // then rename the new version into place
 */
export const assertLocksHeld = async (): Promise<void> => {
  for (const lock of heldLocks.getStore() ?? []) {
    if (!lock.lost) {
      // An I/O error on this check says nothing about who holds the lock: it fails the publish, but
      // marking the lock lost would make its release leave the dir behind (busy for STALE_MS).
      const stats = await fs.lstatOrUndefined(lock.lockDir)
      const age = stats ? Date.now() - stats.mtimeMs : 0
      if (!isOurs(lock, stats)) lock.lost = lostError(lock, 'another process took it over')
      else if (age > PUBLISH_MARGIN_MS) lock.lost = lostError(lock, `not refreshed for ${Math.round(age / 1000)} s, so another process may take it over`)
    }
    if (lock.lost) throw lock.lost
  }
}

/**
 * Runs `fn` holding the locks of every scope given (taken in a fixed order so
 * two processes locking the same pair cannot deadlock). If a lock is lost
 * meanwhile, the operation fails with `LockLostError` even when `fn` resolved.
 */
export const withScopeLocks = async <T>(layout: Layout, scopes: Scope[], fn: () => Promise<T>, options: LockOptions = {}): Promise<T> => {
  // Threat: a symlinked .bento or .bento/locks making every lock create and remove dirs outside the data dir.
  // Test: test/core/lock.test.ts "refuses a symlinked .bento/locks".
  await ensureDir(layout, layout.locksDir)
  const unique = [...new Map(scopes.map((scope) => [layout.lockTarget(scope), scope])).entries()].sort(([a], [b]) => (a < b ? -1 : 1))
  const taken: Array<{ held: HeldLock; release: () => Promise<void> }> = []
  try {
    for (const [, scope] of unique) taken.push(await acquire(layout, scope, options.waitMs ?? 0))
    const held = [...(heldLocks.getStore() ?? []), ...taken.map((lock) => lock.held)]
    const result = await heldLocks.run(held, fn)
    const lost = taken.find((lock) => lock.held.lost)
    if (lost) throw lost.held.lost
    return result
  } finally {
    for (const lock of taken.reverse()) await lock.release()
  }
}

export const withScopeLock = <T>(layout: Layout, scope: Scope, fn: () => Promise<T>, options?: LockOptions): Promise<T> =>
  withScopeLocks(layout, [scope], fn, options)

/** True when another process (not this one) holds the scope's lock and it is not stale. */
export const isLockedElsewhere = async (layout: Layout, scope: Scope): Promise<boolean> => {
  const target = layout.lockTarget(scope)
  /** True while this process holds the lock and its lock dir is still the one it made. */
  const heldByUs = async (): Promise<boolean> => {
    for (const lock of heldHere.get(target) ?? []) {
      if (lock.lost) continue
      const stats = await fs.lstatOrUndefined(lock.lockDir).catch(() => undefined)
      if (isOurs(lock, stats)) return true
      if (!lock.releasing) lock.lost ??= lostError(lock, 'another process took it over')
    }
    return false
  }
  const settle = async () => {
    const pending = settling.get(target)
    if (pending) await Promise.allSettled([...pending])
    return heldByUs()
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
