/**
 * Watches every call of the fs facade (through `setFaultInjector`) and flags
 * each one that would pass through a symlink: a link as a middle component of
 * the path, or as the last one for a call that follows it (readFile, stat,
 * opendir…). lstat, unlink, rm and rename act on a link itself and are fine
 * on a final link. Calls outside `root` are flagged too.
 *
 * Runs before the call, so a link swapped in by `beforeCall` is seen.
 */
import { lstatSync } from 'node:fs'
import path from 'node:path'
import { setFaultInjector } from '../../../src/core/faults.js'

const ACTS_ON_LINK = new Set(['lstat', 'unlink', 'rm', 'rename', 'symlink', 'rmdir', 'mkdir'])

// Calls that change something: through a link they would write or delete outside the data dir.
// copyFile's path is its source: through a link it reads (copies in) outside content, it writes nothing outside.
const CHANGES = new Set(['unlink', 'rm', 'rename', 'rmdir', 'mkdir', 'writeFile', 'utimes', 'symlink'])

export interface LinkOracle {
  calls: number
  /** Calls through a link that change something (must never happen). */
  violations: string[]
  /** Calls through a link that only read (lstat, stat, readFile, opendir…). */
  reads: string[]
  stop(): void
}

export const throughLink = (root: string, op: string, target: string): string | undefined => {
  const relative = path.relative(root, path.resolve(target))
  if (relative.startsWith('..') || path.isAbsolute(relative)) return `${op} outside the data root: ${target}`
  const parts = relative.split(path.sep).filter(Boolean)
  let current = root
  for (let i = 0; i < parts.length; i++) {
    current = path.join(current, parts[i]!)
    const stats = lstatSync(current, { throwIfNoEntry: false })
    if (stats === undefined) return undefined
    if (!stats.isSymbolicLink()) continue
    if (i < parts.length - 1) return `${op} through the link ${path.relative(root, current)}: ${relative}`
    if (!ACTS_ON_LINK.has(op)) return `${op} follows the link ${relative}`
  }
  return undefined
}

/** `beforeCall(op, path, n)` runs first (e.g. to swap a dir for a link at call n). */
export const watchLinks = (root: string, beforeCall?: (op: string, target: string, n: number) => void): LinkOracle => {
  const oracle: LinkOracle = {
    calls: 0,
    violations: [],
    reads: [],
    stop: () => setFaultInjector(undefined),
  }
  setFaultInjector((op, target) => {
    oracle.calls++
    beforeCall?.(op, target, oracle.calls)
    const violation = throughLink(root, op, target)
    if (violation) (CHANGES.has(op) ? oracle.violations : oracle.reads).push(violation)
    return undefined
  })
  return oracle
}
