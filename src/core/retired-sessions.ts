/**
 * Session ids that expired, kept so they are never valid again: a client that
 * presents one gets a new session and is told (`x-session-expired`), even after the
 * scope was swept and the server restarted (without this, an id whose data was
 * removed looked brand new and was silently revived as an empty session).
 *
 * One empty marker file per id under `.bento/retired-sessions/<2 hex>/session-<32 hex>`,
 * written before the scope is removed (a crash in between cannot revive it). Markers
 * are tiny and never removed: an id is 128 random bits, so they never collide with a
 * new one.
 */
import path from 'node:path'
import * as fs from './fs.js'
import { ensureDir, type Layout } from './layout.js'
import type { Scope } from './keys.js'

export const RETIRED_SESSIONS_DIR = 'retired-sessions'

const markerOf = (layout: Layout, scope: Scope): string | undefined => {
  if (scope.kind !== 'session') return undefined
  return path.join(layout.internalDir, RETIRED_SESSIONS_DIR, scope.key.slice(0, 2), scope.dir)
}

/** Marks a session id as expired for good. A no-op for other kinds of scope. */
export const retireSession = async (layout: Layout, scope: Scope): Promise<void> => {
  const marker = markerOf(layout, scope)
  if (marker === undefined || (await fs.lstatOrUndefined(marker)) !== undefined) return
  await ensureDir(layout, path.dirname(marker))
  try {
    await fs.writeFileDurable(marker, '')
  } catch (error) {
    // Two requests retiring the same id at once: the other one wrote it.
    if ((await fs.lstatOrUndefined(marker)) === undefined) throw error
  }
}

export const isSessionRetired = async (layout: Layout, scope: Scope): Promise<boolean> => {
  const marker = markerOf(layout, scope)
  return marker !== undefined && (await fs.lstatOrUndefined(marker)) !== undefined
}

/**
 * `retireSession` for a batch (cleanup): markers created without a thread-pool hop
 * each, then their dirs fsynced at once (the markers are empty: the entry is what must
 * last), so a batch pays overlapping fsyncs instead of one after another.
 */
export const retireSessions = async (layout: Layout, scopes: Scope[]): Promise<void> => {
  const dirs = new Set<string>()
  for (const scope of scopes) {
    const marker = markerOf(layout, scope)
    if (marker === undefined || fs.lstatSyncOrUndefined(marker) !== undefined) continue
    const dir = path.dirname(marker)
    if (!dirs.has(dir)) await ensureDir(layout, dir)
    dirs.add(dir)
    try {
      fs.createEmptyFileSync(marker)
    } catch (error) {
      // Retired meanwhile by a request in this or another process.
      if (fs.lstatSyncOrUndefined(marker) === undefined) throw error
    }
  }
  await Promise.all([...dirs].map((dir) => fs.fsyncDir(dir)))
}
