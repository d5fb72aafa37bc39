import type { Stats } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import path from 'node:path'

/**
 * Every entry below `root` (relative path → what `describe` says of it), never
 * walking through a link; `exclude` (a full path) is left out with all below it.
 * A dir that cannot be read counts as empty, so a missing root maps to `{}`.
 */
export const mapTree = async (
  root: string,
  describe: (full: string, stats: Stats) => Promise<string> | string,
  exclude?: string,
): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  const walk = async (dir: string) => {
    let names: string[]
    try {
      names = await readdir(dir)
    } catch {
      return
    }
    for (const name of names.sort()) {
      const full = path.join(dir, name)
      if (full === exclude) continue
      const stats = await lstat(full)
      out[path.relative(root, full)] = await describe(full, stats)
      if (stats.isDirectory()) await walk(full)
    }
  }
  await walk(root)
  return out
}
