/**
 * The fs backend's move into an empty target: the scope's dirs are renamed (constant time),
 * or with `copy` copied into staging in trash and renamed into place. The caller
 * holds both scopes' locks and has begun the journal intent; every step here is
 * also its own crash replay.
 */
import path from 'node:path'
import { crashPoint } from '../faults.js'
import * as fs from '../fs.js'
import { endIntent, updateIntent } from '../journal.js'
import type { JournalIntent } from '../journal.js'
import { ensureDir } from '../layout.js'
import { assertLocksHeld } from '../lock.js'
import type { Layout, Tree } from '../layout.js'
import type { Scope } from '../keys.js'
import { copyTree } from './fs-copy-tree.js'
import { emptyTrash, trashDirOf, TREES } from './fs-trash.js'

const exists = async (p: string) => (await fs.lstatOrUndefined(p)) !== undefined

/** Moves what occupies the target's dir (an empty store, an activity file) aside into the operation's trash. */
const clearTarget = async (layout: Layout, id: string, tree: Tree, dir: string): Promise<void> => {
  if (!(await exists(dir))) return
  const trash = trashDirOf(layout, id)
  await ensureDir(layout, trash)
  let slot = path.join(trash, `target-${tree}`)
  for (let n = 1; await exists(slot); n++) slot = path.join(trash, `target-${tree}-${n}`)
  await fs.rename(dir, slot)
  crashPoint(`migrate:after-clear-${tree}`)
}

const place = async (layout: Layout, id: string, tree: Tree, from: string, to: string): Promise<void> => {
  await clearTarget(layout, id, tree, to)
  await ensureDir(layout, path.dirname(to))
  await assertLocksHeld()
  await fs.rename(from, to)
  await fs.fsyncDir(path.dirname(to)).catch(() => {})
  crashPoint(`migrate:after-rename-${tree}`)
}

/**
 * Runs (or, after a crash, finishes) a rename-mode migration. Idempotent by
 * construction: in move mode a source dir that still exists has not moved yet
 * (and whatever sits at the target is the old, empty content); in copy mode the
 * phase says whether the staged copy is complete.
 */
export const runRenameMigration = async (layout: Layout, intent: JournalIntent, from: Scope, to: Scope): Promise<void> => {
  const copy = intent.data.copy === true
  if (!copy) {
    for (const tree of TREES) {
      const source = layout.scopeDir(tree, from)
      if (await exists(source)) await place(layout, intent.id, tree, source, layout.scopeDir(tree, to))
    }
  } else {
    const staging = (tree: Tree) => path.join(trashDirOf(layout, intent.id), `copy-${tree}`)
    if (intent.phase !== 'staged') {
      await emptyTrash(layout, intent.id) // a partial staging from a crash: start over
      await ensureDir(layout, trashDirOf(layout, intent.id))
      for (const tree of TREES) {
        const source = layout.scopeDir(tree, from)
        if (await exists(source)) await copyTree(source, staging(tree))
        crashPoint(`migrate:after-stage-${tree}`)
      }
      await updateIntent(layout, intent, 'staged')
    }
    for (const tree of TREES) {
      if (await exists(staging(tree))) await place(layout, intent.id, tree, staging(tree), layout.scopeDir(tree, to))
    }
  }
  await emptyTrash(layout, intent.id)
  await endIntent(layout, intent)
}
