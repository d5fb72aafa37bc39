/**
 * The data dir, as the seed page draws it:
 *
 *   data/vectors/shared/            data/uploads/shared/
 *   data/vectors/isolated/<dir>/    data/uploads/isolated/<dir>/
 *   data/.bento/{locks,journal,trash}/   (Bento's own bookkeeping)
 *
 * A scope is exactly its two directories. Its metadata (activity, conversations,
 * memory) lives inside its vectors dir, so migrate, cleanup, du and inspect move,
 * remove and count a scope's data as one unit. Every path here is derived from a
 * `Scope`, which only `keys.ts` makes.
 */
import path from 'node:path'
import { realpathSync } from 'node:fs'
import type { Stats } from 'node:fs'
import * as fs from './fs.js'
import { UnsafePathError } from './errors.js'
import type { Scope } from './keys.js'

export type Tree = 'vectors' | 'uploads'

export interface Layout {
  /** Absolute, symlink-free path of the data dir. */
  readonly root: string
  treeDir(tree: Tree): string
  /** `vectors/isolated` or `uploads/isolated`: where non-shared scopes live. */
  isolatedDir(tree: Tree): string
  scopeDir(tree: Tree, scope: Scope): string
  vectorsDir(scope: Scope): string
  uploadsDir(scope: Scope): string
  activityFile(scope: Scope): string
  conversationsDir(scope: Scope): string
  memoryDir(scope: Scope): string
  readonly internalDir: string
  readonly locksDir: string
  readonly journalDir: string
  readonly trashDir: string
  lockTarget(scope: Scope): string
}

export const ACTIVITY_FILE = 'activity.json'
export const CONVERSATIONS_DIR = 'conversations'
export const MEMORY_DIR = 'memory'

/**
 * Resolves the data dir once. The root itself may be a symlink (an operator's
 * `data -> /mnt/disk/bento`); nothing below it may be.
 */
export const createLayout = (dataDir: string): Layout => {
  const resolved = path.resolve(dataDir)
  let root = resolved
  try {
    root = realpathSync(resolved)
  } catch {
    // Not created yet: it will be made as a real directory.
  }
  const internalDir = path.join(root, '.bento')
  const treeDir = (tree: Tree) => path.join(root, tree)
  const isolatedDir = (tree: Tree) => path.join(root, tree, 'isolated')
  // Joined once: a walk over 10k scopes asks for each scope's dirs several times. A scope's dir name never
  // holds a separator or `..` (keys.ts), so appending it is the join.
  const isolatedPrefix = { vectors: isolatedDir('vectors') + path.sep, uploads: isolatedDir('uploads') + path.sep }
  const sharedDir = { vectors: path.join(root, 'vectors', 'shared'), uploads: path.join(root, 'uploads', 'shared') }
  const scopeDir = (tree: Tree, scope: Scope) => (scope.kind === 'shared' ? sharedDir[tree] : isolatedPrefix[tree] + scope.dir)
  const vectorsDir = (scope: Scope) => scopeDir('vectors', scope)
  return {
    root,
    treeDir,
    isolatedDir,
    scopeDir,
    vectorsDir,
    uploadsDir: (scope) => scopeDir('uploads', scope),
    activityFile: (scope) => vectorsDir(scope) + path.sep + ACTIVITY_FILE,
    conversationsDir: (scope) => path.join(vectorsDir(scope), CONVERSATIONS_DIR),
    memoryDir: (scope) => path.join(vectorsDir(scope), MEMORY_DIR),
    internalDir,
    locksDir: path.join(internalDir, 'locks'),
    journalDir: path.join(internalDir, 'journal'),
    trashDir: path.join(internalDir, 'trash'),
    lockTarget: (scope) => path.join(internalDir, 'locks', scope.kind === 'shared' ? 'shared' : `isolated-${scope.dir}`),
  }
}

/** Throws unless `target` is `root` or lies below it (lexically). */
export const assertInside = (root: string, target: string): void => {
  const relative = path.relative(root, path.resolve(target))
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new UnsafePathError(`Refusing a path outside the data dir: ${target}`)
  }
}

/**
 * Threat: a scope dir (or any parent below the root) swapped for a symlink to
 * elsewhere, so a read, delete or move lands outside the data dir.
 * Checks every existing component between the root and `target` with lstat.
 * Test: test/core/layout.test.ts "refuses a scope dir that is a symlink".
 */
export const assertNoSymlinks = async (layout: Layout, target: string): Promise<void> => {
  lstatNoLinks(layout, target)
}

const lstatOrMissing = (p: string): Stats | undefined => {
  try {
    return fs.lstatSyncOrUndefined(p)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** `assertNoSymlinks`, answering the target's stats (undefined when it or a dir above it is missing). */
const lstatNoLinks = (layout: Layout, target: string): Stats | undefined => {
  assertInside(layout.root, target)
  const parts = path.relative(layout.root, path.resolve(target)).split(path.sep).filter(Boolean)
  let current = layout.root
  let stats: Stats | undefined
  for (const part of parts) {
    current = path.join(current, part)
    // Sync: a few cached dirs, checked per scope by cleanup; a thread-pool hop each cost more than the lstat.
    stats = lstatOrMissing(current)
    if (stats === undefined) return undefined
    if (stats.isSymbolicLink()) throw new UnsafePathError(`Refusing to follow a symlink inside the data dir: ${path.relative(layout.root, current)}`)
  }
  return stats
}

/** Creates a directory below the root after checking no component is a symlink. */
export const ensureDir = async (layout: Layout, dir: string): Promise<void> => {
  if (lstatNoLinks(layout, dir)?.isDirectory() === true) return
  await fs.mkdir(dir)
  await assertNoSymlinks(layout, dir)
}
