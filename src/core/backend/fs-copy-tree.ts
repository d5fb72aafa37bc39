/**
 * A recursive copy through the fs facade (so faults and crashes can be
 * injected at every call) that refuses symlinks instead of copying or
 * following them.
 */
import path from 'node:path'
import * as fs from '../fs.js'
import { UnsafePathError } from '../errors.js'

export interface CopyStats {
  files: number
  bytes: number
}

/**
 * Threat: a link planted inside a scope pointing at /etc or another scope, which a
 * copy would follow and publish into the target. Walks `root` with lstat and
 * throws `UnsafePathError` at the first symlink (or other non-file, non-directory entry).
 * Test: test/ops/migrate.test.ts "refuses to migrate a scope holding a symlink".
 */
export const assertTreeHasNoLinks = async (root: string): Promise<void> => {
  const top = await fs.lstatOrUndefined(root)
  if (top === undefined) return
  const pending = [root]
  if (!top.isDirectory()) pending.pop()
  if (top.isSymbolicLink()) throw new UnsafePathError(`Refusing to copy a symlink: ${root}`)
  while (pending.length > 0) {
    const dir = pending.pop()!
    for await (const entry of await fs.opendir(dir)) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) pending.push(full)
      else if (!entry.isFile()) throw new UnsafePathError(`Refusing to copy ${entry.isSymbolicLink() ? 'a symlink' : 'a special file'}: ${full}`)
    }
  }
}

/** Copies the tree at `from` to the new path `to` (which must not exist). Files are fsynced by the caller's final rename protocol. */
export const copyTree = async (from: string, to: string): Promise<CopyStats> => {
  const stats: CopyStats = { files: 0, bytes: 0 }
  const top = await fs.lstat(from)
  if (top.isSymbolicLink()) throw new UnsafePathError(`Refusing to copy a symlink: ${from}`)
  if (top.isFile()) {
    await fs.copyFile(from, to)
    return { files: 1, bytes: top.size }
  }
  await fs.mkdir(to)
  const pending: Array<[string, string]> = [[from, to]]
  while (pending.length > 0) {
    const [source, target] = pending.pop()!
    for await (const entry of await fs.opendir(source)) {
      const src = path.join(source, entry.name)
      const dst = path.join(target, entry.name)
      if (entry.isDirectory()) {
        await fs.mkdir(dst)
        pending.push([src, dst])
      } else if (entry.isFile()) {
        await fs.copyFile(src, dst)
        stats.files += 1
        stats.bytes += (await fs.lstat(src)).size
      } else {
        throw new UnsafePathError(`Refusing to copy ${entry.isSymbolicLink() ? 'a symlink' : 'a special file'}: ${src}`)
      }
    }
  }
  return stats
}
