/**
 * Streaming walks of the data dir: the scopes on disk, and the bytes under a
 * directory. Both read directories with `opendir` (never one array of 100k
 * names, never 100k open handles) and both use `lstat`, so a symlink is seen
 * as a link and never followed.
 */
import path from 'node:path'
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
    if (isScopeDirName(entry.name) && (await fs.lstatOrUndefined(path.join(vectorsIsolated, entry.name))) !== undefined) continue
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
}

/**
 * The apparent size of a tree: the sum of `lstat` sizes of its files and links.
 * Directories themselves count 0 (their size depends on the filesystem, not on
 * the data). Symlinks are counted as links and never descended into; a root
 * that is a symlink counts as one link. A missing root is 0 bytes, 0 files.
 *
 * @example
 * const { bytes, files } = await measureTree(layout.uploadsDir(scope))
 */
export const measureTree = async (root: string, options: MeasureOptions = {}): Promise<TreeSize> => {
  const total: TreeSize = { bytes: 0, files: 0 }
  const rootStats = await fs.lstatOrUndefined(root)
  if (rootStats === undefined) return total
  if (!rootStats.isDirectory()) {
    if (rootStats.isSymbolicLink()) options.onSkip?.({ path: root, reason: 'symlink' })
    return { bytes: rootStats.size, files: 1 }
  }
  // Depth-first with an explicit stack: scope trees are shallow, but a planted deep tree must not overflow the call stack.
  const pending = [root]
  while (pending.length > 0) {
    const dir = pending.pop()!
    for await (const entry of streamEntries(dir)) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        pending.push(full)
        continue
      }
      let stats
      try {
        stats = await fs.lstat(full)
      } catch (error) {
        if (isMissing(error)) continue // removed while we walked
        throw error
      }
      if (stats.isDirectory()) {
        pending.push(full)
        continue
      }
      if (stats.isSymbolicLink()) options.onSkip?.({ path: full, reason: 'symlink' })
      total.bytes += stats.size
      total.files += 1
    }
  }
  return total
}
