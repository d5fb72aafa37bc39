/**
 * When a scope was created and last used: `activity.json` `{createdAt, lastActiveAt}`
 * in the scope's vectors dir, so it moves and is removed with the scope.
 *
 * `touch` is called per request, so writes are coalesced: the file is written
 * only when its persisted `lastActiveAt` is older than `coalesceMs`. The first
 * touch after an idle period therefore writes at once (what cleanup in another
 * process must see), and a busy scope costs one write per window. Pending
 * touches are flushed on close.
 */
import path from 'node:path'
import { ACTIVITY_COALESCE_MS } from './defaults.js'
import * as fs from './fs.js'
import { assertNoSymlinks } from './layout.js'
import type { Layout } from './layout.js'
import type { Scope } from './keys.js'

export interface ActivityRecord {
  createdAt: string
  lastActiveAt: string
}

export interface ActivityOptions {
  layout: Layout
  /** Default 60 s. */
  coalesceMs?: number
  now?: () => number
  /** Entries kept in memory for scopes with nothing pending. Default 10,000. */
  maxTracked?: number
  /** Activity is best effort: a failed write is reported here, never thrown at the caller. */
  onError?: (error: unknown, scope: Scope) => void
}

export interface ActivityTracker {
  touch(scope: Scope): void
  /** `touch`, resolving once the (coalesced) write is done: for callers holding the scope lock. */
  record(scope: Scope): Promise<void>
  lastActiveAt(scope: Scope): Promise<Date | undefined>
  createdAt(scope: Scope): Promise<Date | undefined>
  /** Drops what this process remembers about a scope (after it was removed or moved). */
  forget(scope: Scope): void
  /** Writes every pending touch; resolves when written. */
  flush(): Promise<void>
}

interface Entry {
  scope: Scope
  /** Newest touch in this process, ms. */
  touched: number | undefined
  /** What the file holds, as last read or written; undefined until read. */
  persisted: { createdAt: number; lastActiveAt: number } | null | undefined
  chain: Promise<void>
}

const parseTime = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : undefined
}

/** The record in an `activity.json` text; null when it is not JSON or has no valid `lastActiveAt`. */
export const parseActivityText = (text: string): { createdAt: number; lastActiveAt: number } | null => {
  try {
    const raw = JSON.parse(text) as Partial<ActivityRecord> | null
    const lastActiveAt = parseTime(raw?.lastActiveAt)
    if (lastActiveAt === undefined) return null
    return { createdAt: parseTime(raw?.createdAt) ?? lastActiveAt, lastActiveAt }
  } catch {
    return null
  }
}

/** Reads `activity.json`; a missing or unreadable file is null (the mtime fallback then applies). */
export const readActivityFile = async (layout: Layout, scope: Scope): Promise<{ createdAt: number; lastActiveAt: number } | null> => {
  try {
    // Cheap first: most scopes listed by du have a file or no vectors dir at all.
    // Sync: a file of ~100 bytes read per scope by cleanup's re-check; four thread-pool hops cost more than the read.
    const stats = fs.lstatSyncOrUndefined(layout.activityFile(scope))
    if (!stats?.isFile()) return null
    await assertNoSymlinks(layout, layout.activityFile(scope))
    return parseActivityText(fs.readSmallTextSyncNoFollow(layout.activityFile(scope), stats.size))
  } catch {
    return null
  }
}

/**
 * The newest and oldest modification times of a scope's two dirs and their
 * top-level entries: activity for scopes written before activity files existed
 * (or by hand). lstat only, so a planted link's target is never consulted.
 */
export const scopeFileTimes = async (layout: Layout, scope: Scope): Promise<{ newest: number; oldest: number } | undefined> => {
  let newest: number | undefined
  let oldest: number | undefined
  const see = (ms: number) => {
    newest = newest === undefined ? ms : Math.max(newest, ms)
    oldest = oldest === undefined ? ms : Math.min(oldest, ms)
  }
  for (const dir of [layout.vectorsDir(scope), layout.uploadsDir(scope)]) {
    const stats = await fs.lstatOrUndefined(dir)
    if (stats === undefined) continue
    see(stats.mtimeMs)
    if (!stats.isDirectory()) continue
    try {
      const handle = await fs.opendir(dir)
      for await (const entry of handle) {
        const child = await fs.lstatOrUndefined(path.join(dir, entry.name))
        if (child) see(child.mtimeMs)
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  return newest === undefined || oldest === undefined ? undefined : { newest, oldest }
}

/**
 * @example
 * const activity = createActivityTracker({ layout, coalesceMs: 60_000 })
 * activity.touch(scope)                       // per request, cheap
 * await activity.lastActiveAt(scope)          // Date | undefined
 * await activity.flush()                      // on close
 */
export const createActivityTracker = (options: ActivityOptions): ActivityTracker => {
  const { layout } = options
  const coalesceMs = options.coalesceMs ?? ACTIVITY_COALESCE_MS
  const now = options.now ?? Date.now
  const maxTracked = options.maxTracked ?? 10_000
  const entries = new Map<string, Entry>()

  const entryFor = (scope: Scope): Entry => {
    const id = layout.vectorsDir(scope)
    let entry = entries.get(id)
    if (entry === undefined) {
      entry = { scope, touched: undefined, persisted: undefined, chain: Promise.resolve() }
      entries.set(id, entry)
      trim()
    }
    return entry
  }

  // Bounds memory in a server that sees 100k sessions: forget settled entries, oldest first.
  const trim = () => {
    if (entries.size <= maxTracked) return
    for (const [id, entry] of entries) {
      if (entries.size <= maxTracked) break
      if (entry.touched === undefined || (entry.persisted && entry.persisted.lastActiveAt >= entry.touched)) entries.delete(id)
    }
  }

  const load = async (entry: Entry) => {
    if (entry.persisted === undefined) entry.persisted = await readActivityFile(layout, entry.scope)
  }

  const write = async (entry: Entry, force: boolean) => {
    await load(entry)
    const touched = entry.touched
    if (touched === undefined) return
    const persisted = entry.persisted
    if (persisted && persisted.lastActiveAt >= touched) return
    if (!force && persisted && touched - persisted.lastActiveAt < coalesceMs) return
    const dir = layout.vectorsDir(entry.scope)
    // Never create a scope by touching it: a removed scope stays removed.
    if (!(await fs.lstatOrUndefined(dir))?.isDirectory()) return
    await assertNoSymlinks(layout, dir)
    const createdAt = persisted?.createdAt ?? touched
    await fs.writeJsonAtomic(layout.activityFile(entry.scope), {
      createdAt: new Date(createdAt).toISOString(),
      lastActiveAt: new Date(touched).toISOString(),
    } satisfies ActivityRecord)
    entry.persisted = { createdAt, lastActiveAt: touched }
  }

  const schedule = (entry: Entry, force: boolean): Promise<void> => {
    entry.chain = entry.chain
      .then(() => write(entry, force))
      .catch((error) => {
        entry.persisted = undefined
        options.onError?.(error, entry.scope)
      })
    return entry.chain
  }

  const touch = (scope: Scope): Promise<void> => {
    const entry = entryFor(scope)
    entry.touched = Math.max(entry.touched ?? 0, now())
    return schedule(entry, false)
  }

  return {
    touch(scope) {
      void touch(scope)
    },
    record: touch,
    async lastActiveAt(scope) {
      // Always re-read: another process (a server) may have touched the scope since.
      const entry = entries.get(layout.vectorsDir(scope))
      const persisted = await readActivityFile(layout, scope)
      const known = Math.max(entry?.touched ?? -Infinity, persisted?.lastActiveAt ?? -Infinity)
      if (Number.isFinite(known)) return new Date(known)
      const times = await scopeFileTimes(layout, scope)
      return times ? new Date(times.newest) : undefined
    },
    async createdAt(scope) {
      const persisted = (await readActivityFile(layout, scope)) ?? entries.get(layout.vectorsDir(scope))?.persisted
      if (persisted) return new Date(persisted.createdAt)
      const times = await scopeFileTimes(layout, scope)
      return times ? new Date(times.oldest) : undefined
    },
    forget(scope) {
      entries.delete(layout.vectorsDir(scope))
    },
    async flush() {
      await Promise.all([...entries.values()].map((entry) => schedule(entry, true)))
    },
  }
}
