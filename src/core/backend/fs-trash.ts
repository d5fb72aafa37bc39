/**
 * Removing a scope without ever leaving it half-present under its own name:
 * both dirs are renamed (constant time, atomic each) into `.bento/trash/<id>/`,
 * then the trash dir is deleted. A crash leaves either the scope or trash,
 * and trash is swept by the next command.
 */
import path from 'node:path'
import { crashPoint } from '../faults.js'
import * as fs from '../fs.js'
import { readIntents } from '../journal.js'
import { assertInside, assertNoSymlinks, ensureDir } from '../layout.js'
import type { Layout, Tree } from '../layout.js'
import type { Scope } from '../keys.js'

export const TREES: readonly Tree[] = ['vectors', 'uploads']

export const trashDirOf = (layout: Layout, id: string): string => path.join(layout.trashDir, id)

/**
 * Renames each scope's dirs into trash, slot `<i>-` for the i-th scope (none for a
 * batch of one). Idempotent: a dir already moved is skipped, so a replay after a
 * crash finishes the job. Each scope's parent dirs are checked once, the renames are
 * sync (no thread-pool hop per dir) and the trash dir is fsynced once for all.
 * Threat: a scope dir swapped for a symlink; the link itself is what moves, its target is never touched.
 */
export const moveScopesToTrash = async (layout: Layout, scopes: Scope[], id: string, crashPrefix: string): Promise<void> => {
  const trash = trashDirOf(layout, id)
  await ensureDir(layout, trash)
  const checked = new Set<string>()
  for (const [i, scope] of scopes.entries()) {
    const slot = scopes.length === 1 ? '' : `${i}-`
    for (const tree of TREES) {
      const dir = layout.scopeDir(tree, scope)
      const parent = path.dirname(dir)
      // Threat: a parent swapped for a symlink (the link itself is what a rename moves, never its target).
      if (!checked.has(parent)) await assertNoSymlinks(layout, parent)
      checked.add(parent)
      if (fs.lstatSyncOrUndefined(dir) === undefined) continue
      const target = path.join(trash, `${slot}${tree}`)
      if (fs.lstatSyncOrUndefined(target) !== undefined) throw new Error(`trash slot ${target} already taken`)
      fs.renameSync(dir, target)
      crashPoint(`${crashPrefix}:after-trash-${tree}`)
    }
  }
  await fs.fsyncDir(trash).catch(() => {})
}

/** Deletes one operation's trash (never follows links: `fs.removeTreeConcurrently` unlinks them). */
export const emptyTrash = async (layout: Layout, id: string): Promise<void> => {
  const trash = trashDirOf(layout, id)
  assertInside(layout.trashDir, trash)
  await assertNoSymlinks(layout, layout.trashDir)
  await fs.removeTreeConcurrently(trash)
}

/**
 * Trash left by operations that no longer have an intent. Names are read
 * before intents: an operation writes its intent before making its trash dir
 * and empties its trash before removing its intent, so a trash dir listed
 * first and without an intent afterwards belongs to no running operation.
 */
export const sweepTrash = async (layout: Layout): Promise<void> => {
  let names: string[]
  try {
    await assertNoSymlinks(layout, layout.trashDir)
    names = await fs.readdir(layout.trashDir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  if (names.length === 0) return
  const { intents, unreadable } = await readIntents(layout)
  const live = new Set([...intents.map((intent) => intent.id), ...unreadable.map((name) => name.replace(/\.json$/, ''))])
  for (const name of names) if (!live.has(name)) await emptyTrash(layout, name)
}
