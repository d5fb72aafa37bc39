import { parseActivityText } from '../core/activity.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { ScopeWalk } from '../core/scope-walk.js'

/**
 * `lastActiveAt` from the walk: the walk already lstat'ed `activity.json` and
 * read it if it was a regular file, instead of `backend.lastActiveAt`'s lstat
 * + symlink check + async read per scope.
 *
 * The content, not the file's mtime: they differ by more than coalescing. A
 * migrate copies the file (`copyFile` resets mtime to the copy time), a flush on
 * close writes a touch up to the coalescing window old, and files written by
 * tools or restored by `cp` carry any mtime. Cleanup judges by the content, so
 * du must too. What is not seen here is a touch still pending in this process
 * (a server's unwritten, coalesced touches): at most the coalescing window late.
 * Scopes without a readable file take the backend's answer (the newest mtime of
 * their dirs and top-level entries), which needs lstats of dirs the walk never
 * stats, so values equal `backend.lastActiveAt` up to that pending-touch lag.
 */
export const lastActiveFromWalk = async (backend: StorageBackend, scope: Scope, walk: ScopeWalk): Promise<Date | undefined> => {
  const record = walk.activityText === undefined ? null : parseActivityText(walk.activityText)
  if (record) return new Date(record.lastActiveAt)
  return backend.lastActiveAt(scope)
}
