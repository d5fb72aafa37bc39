/**
 * Walks of the data dir: the scopes on disk (streamed with `opendir`: never
 * one array of 100k names, never 100k open handles), and the bytes under a
 * directory. Both use `lstat` or the dirent's type, so a symlink is seen as a
 * link and never followed.
 */
import path from 'node:path'
import type { Stats } from 'node:fs'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import * as fs from './fs.js'
import { isScopeDirName, scopeFromDirName, SHARED_KEY } from './keys.js'
import type { Scope, ScopeKind } from './keys.js'
import type { Layout, Tree } from './layout.js'

export type SkipReason = 'symlink' | 'not-a-scope' | 'not-a-directory'

export interface ScanSkip {
  /** Absolute path of the entry that was not treated as a scope (or not descended into). */
  path: string
  reason: SkipReason
}

export interface ScanScopesOptions {
  kinds?: ScopeKind[]
  /** Told about every entry skipped: planted symlinks, stray files, names no key maps to. */
  onSkip?: (skip: ScanSkip) => void
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT'

/** Yields the entries of a directory one by one; a missing directory yields nothing. */
async function* streamEntries(dir: string) {
  let handle
  try {
    handle = await fs.opendir(dir)
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return
    throw error
  }
  // for-await closes the Dir handle when the loop ends or the consumer stops early.
  for await (const entry of handle) yield entry
}

/**
 * Every scope on disk: `shared`, then `vectors/isolated/*`, then the scopes that
 * have only an uploads dir. De-duplication is by an lstat of the vectors twin,
 * so nothing but the current entry is held in memory.
 *
 * @example
 * for await (const scope of scanScopes(layout, { kinds: ['session'] })) console.log(scope.key)
 */
export async function* scanScopes(layout: Layout, options: ScanScopesOptions = {}): AsyncGenerator<Scope> {
  const wanted = (kind: ScopeKind) => options.kinds === undefined || options.kinds.includes(kind)
  const skip = (p: string, reason: SkipReason) => options.onSkip?.({ path: p, reason })

  if (wanted('shared')) {
    let found = false
    let linked = false
    for (const tree of ['vectors', 'uploads'] as Tree[]) {
      const dir = path.join(layout.treeDir(tree), SHARED_KEY)
      const stats = await fs.lstatOrUndefined(dir)
      if (stats?.isSymbolicLink()) {
        linked = true
        skip(dir, 'symlink')
      } else if (stats?.isDirectory()) found = true
    }
    if (found && !linked) yield scopeFromDirName(SHARED_KEY)
  }

  const vectorsIsolated = layout.isolatedDir('vectors')
  for await (const entry of streamEntries(vectorsIsolated)) {
    const scope = classify(path.join(vectorsIsolated, entry.name), entry, skip)
    if (scope && wanted(scope.kind)) yield scope
  }

  const uploadsIsolated = layout.isolatedDir('uploads')
  for await (const entry of streamEntries(uploadsIsolated)) {
    // Seen (or reported) in the vectors pass already.
    if (isScopeDirName(entry.name) && fs.lstatSyncOrUndefined(path.join(vectorsIsolated, entry.name)) !== undefined) continue
    const scope = classify(path.join(uploadsIsolated, entry.name), entry, skip)
    if (scope && wanted(scope.kind)) yield scope
  }
}

interface EntryLike {
  name: string
  isSymbolicLink(): boolean
  isDirectory(): boolean
}

const classify = (full: string, entry: EntryLike, skip: (p: string, reason: SkipReason) => void): Scope | undefined => {
  if (entry.isSymbolicLink()) return void skip(full, 'symlink')
  if (!isScopeDirName(entry.name) || entry.name === SHARED_KEY) return void skip(full, 'not-a-scope')
  if (!entry.isDirectory()) return void skip(full, 'not-a-directory')
  return scopeFromDirName(entry.name)
}

export interface TreeSize {
  /** Sum of `lstat().size` of every non-directory entry (apparent size; a symlink counts as the link itself). */
  bytes: number
  /** Non-directory entries: regular files and symlinks. */
  files: number
}

export interface MeasureOptions {
  onSkip?: (skip: ScanSkip) => void
  /** Told the lstat of every counted entry (not the root), so a caller needing a file's stats costs no second lstat. */
  onFile?: (path: string, stats: Stats) => void
}

/** Entries walked between yields to the event loop, so a server stays responsive while an admin measures a big tree (~5–10 ms of work). */
const SLICE_ENTRIES = 1024

const isGoneDir = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * The apparent size of a tree: the sum of `lstat` sizes of its files and links.
 * Directories themselves count 0 (their size depends on the filesystem, not on
 * the data). Symlinks are counted as links and never descended into; a root
 * that is a symlink counts as one link. A missing root is 0 bytes, 0 files.
 *
 * The walk is synchronous in slices of `SLICE_ENTRIES`: one `readdir` per
 * directory (file types come with the names, so directories are never
 * stat'ed) and one `lstat` per file, with no promise or thread-pool hop per
 * entry. An async walk cost several times the CPU of GNU du for the same
 * syscalls (figures: docs/BENCHMARKS.md).
 * Directories inside a scope are read whole (a document dir holds one file);
 * the scope listing itself stays streamed (`scanScopes`).
 *
 * @example
 * const { bytes, files } = await measureTree(layout.uploadsDir(scope))
 */
export const measureTree = async (root: string, options: MeasureOptions = {}): Promise<TreeSize> => {
  const total: TreeSize = { bytes: 0, files: 0 }
  const rootStats = fs.lstatSyncOrUndefined(root)
  if (rootStats === undefined) return total
  if (!rootStats.isDirectory()) {
    if (rootStats.isSymbolicLink()) options.onSkip?.({ path: root, reason: 'symlink' })
    return { bytes: rootStats.size, files: 1 }
  }
  // Depth-first with an explicit stack: scope trees are shallow, but a planted deep tree must not overflow the call stack.
  const pending = [root]
  let budget = SLICE_ENTRIES
  while (pending.length > 0) {
    const dir = pending.pop()!
    let entries
    try {
      entries = fs.readdirEntriesSync(dir)
    } catch (error) {
      if (isGoneDir(error)) continue // removed (or replaced by a file) while we walked
      throw error
    }
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep
    for (const entry of entries) {
      const full = prefix + entry.name
      if (entry.isDirectory()) {
        pending.push(full)
        continue
      }
      const stats = fs.lstatSyncOrUndefined(full)
      if (stats === undefined) continue // removed while we walked
      if (stats.isDirectory()) {
        pending.push(full)
        continue
      }
      if (stats.isSymbolicLink()) options.onSkip?.({ path: full, reason: 'symlink' })
      options.onFile?.(full, stats)
      total.bytes += stats.size
      total.files += 1
    }
    budget -= entries.length + 1
    if (budget <= 0) {
      budget = SLICE_ENTRIES
      await yieldToLoop()
    }
  }
  return total
}
