/**
 * Walks of the data dir: the scopes on disk (streamed with `opendir`: never
 * one array of 100k entries, never 100k open handles; only the set of names
 * the vectors pass saw, to de-duplicate the uploads pass), and the bytes under a
 * directory. Both use `lstat` or the dirent's type, so a symlink is seen as a
 * link and never followed.
 */
import path from 'node:path'
import type { Dir, Dirent, Stats } from 'node:fs'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import * as fs from './fs.js'
import { parseScopeDirName, scopeFromDirName, SHARED_KEY } from './keys.js'
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

/** Scopes per batch of `scanScopeBatches`: enough to amortize a walk worker's message, few enough to keep the listing streamed. */
export const SCAN_BATCH_SCOPES = 64

/** The entries of a directory in batches; a missing directory yields nothing. Sync reads (256 names a syscall), no promise per entry. */
function* entryBatches(dir: string): Generator<Dirent[]> {
  let handle: Dir
  try {
    handle = fs.opendirSync(dir)
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return
    throw error
  }
  try {
    for (;;) {
      const batch: Dirent[] = []
      for (let entry = handle.readSync(); entry !== null; entry = batch.length < SCAN_BATCH_SCOPES ? handle.readSync() : null) batch.push(entry)
      if (batch.length === 0) return
      yield batch
    }
  } finally {
    handle.closeSync()
  }
}

/**
 * Every scope on disk: `shared`, then `vectors/isolated/*`, then the scopes that
 * have only an uploads dir.
 *
 * @example
 * for await (const scope of scanScopes(layout, { kinds: ['session'] })) console.log(scope.key)
 */
export async function* scanScopes(layout: Layout, options: ScanScopesOptions = {}): AsyncGenerator<Scope> {
  for await (const batch of scanScopeBatches(layout, options)) yield* batch
}

/**
 * `scanScopes` in batches of up to `SCAN_BATCH_SCOPES`, for walks that take a batch at a time
 * (`bento du`, `ls`: a promise per scope cost more than reading its name).
 * De-duplication of the uploads pass is by the names the vectors pass saw: a set of names,
 * not an lstat of each vectors twin (10k syscalls on 10k scopes).
 */
export async function* scanScopeBatches(layout: Layout, options: ScanScopesOptions = {}): AsyncGenerator<Scope[]> {
  const wanted = (kind: ScopeKind) => options.kinds === undefined || options.kinds.includes(kind)
  const skip = (p: string, reason: SkipReason) => options.onSkip?.({ path: p, reason })

  if (wanted('shared')) {
    let found = false
    let linked = false
    for (const tree of ['vectors', 'uploads'] as Tree[]) {
      const dir = path.join(layout.treeDir(tree), SHARED_KEY)
      const stats = fs.lstatSyncOrUndefined(dir)
      if (stats?.isSymbolicLink()) {
        linked = true
        skip(dir, 'symlink')
      } else if (stats?.isDirectory()) found = true
    }
    if (found && !linked) yield [scopeFromDirName(SHARED_KEY)]
  }

  const inVectors = new Set<string>()
  const vectorsIsolated = layout.isolatedDir('vectors') + path.sep
  for (const entries of entryBatches(vectorsIsolated)) {
    const batch: Scope[] = []
    for (const entry of entries) {
      const scope = classify(vectorsIsolated + entry.name, entry, skip)
      // Any entry a key maps to, a link included, as the lstat of the twin it replaces saw it.
      if (scope !== undefined || (entry.name !== SHARED_KEY && parseScopeDirName(entry.name) !== undefined)) inVectors.add(entry.name)
      if (scope && wanted(scope.kind)) batch.push(scope)
    }
    if (batch.length > 0) yield batch
  }

  const uploadsIsolated = layout.isolatedDir('uploads') + path.sep
  for (const entries of entryBatches(uploadsIsolated)) {
    const batch: Scope[] = []
    for (const entry of entries) {
      // Seen (or reported) in the vectors pass already.
      if (inVectors.has(entry.name)) continue
      const scope = classify(uploadsIsolated + entry.name, entry, skip)
      if (scope && wanted(scope.kind)) batch.push(scope)
    }
    if (batch.length > 0) yield batch
  }
}

interface EntryLike {
  name: string
  isSymbolicLink(): boolean
  isDirectory(): boolean
}

const classify = (full: string, entry: EntryLike, skip: (p: string, reason: SkipReason) => void): Scope | undefined => {
  if (entry.isSymbolicLink()) return void skip(full, 'symlink')
  const scope = entry.name === SHARED_KEY ? undefined : parseScopeDirName(entry.name)
  if (scope === undefined) return void skip(full, 'not-a-scope')
  if (!entry.isDirectory()) return void skip(full, 'not-a-directory')
  return scope
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
  const walk = startTreeWalk(root, options)
  while (!walk.step(SLICE_ENTRIES)) await yieldToLoop()
  return walk.total
}

/** `measureTree` in one go, for a thread with no event loop to keep answering (a walk worker). */
export const measureTreeSync = (root: string, options: MeasureOptions = {}): TreeSize => {
  const walk = startTreeWalk(root, options)
  walk.step(Infinity)
  return walk.total
}

interface TreeWalk {
  readonly total: TreeSize
  /** Walks directories until about `budget` entries are seen; true when the tree is done. */
  step(budget: number): boolean
}

const startTreeWalk = (root: string, options: MeasureOptions): TreeWalk => {
  const total: TreeSize = { bytes: 0, files: 0 }
  const rootStats = fs.lstatSyncOrUndefined(root)
  if (rootStats === undefined) return { total, step: () => true }
  if (!rootStats.isDirectory()) {
    if (rootStats.isSymbolicLink()) options.onSkip?.({ path: root, reason: 'symlink' })
    return { total: { bytes: rootStats.size, files: 1 }, step: () => true }
  }
  // Depth-first with an explicit stack: scope trees are shallow, but a planted deep tree must not overflow the call stack.
  const pending = [root]
  const step = (budget: number): boolean => {
    while (pending.length > 0 && budget > 0) {
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
    }
    return pending.length === 0
  }
  return { total, step }
}
