/**
 * The fs backend's merge migration: the stores merge through `scope-merge.ts`,
 * uploads are copied per document (temp name, then rename), conversations file by
 * file, all behind a journal intent whose replay is this same code.
 */
import path from 'node:path'
import { crashPoint } from '../faults.js'
import * as fs from '../fs.js'
import { assertLocksHeld } from '../lock.js'
import { endIntent, updateIntent } from '../journal.js'
import type { JournalIntent } from '../journal.js'
import { ensureDir } from '../layout.js'
import type { Layout } from '../layout.js'
import type { ScopeMergeCounts, ScopeMoveProgress } from './contract/scope-moves.js'
import type { FsMoveDeps } from './fs-scope-moves.js'
import type { Scope } from '../keys.js'
import { deriveClashId, emptyMergeCounts, mergeStore } from './scope-merge.js'
import { copyTree } from './fs-copy-tree.js'
import { emptyTrash, moveScopesToTrash } from './fs-trash.js'

const exists = async (p: string) => (await fs.lstatOrUndefined(p)) !== undefined

/** Copies one document's upload dir into the target under `id`, atomically (temp name, then rename). */
const copyUploads = async (layout: Layout, from: Scope, to: Scope, sourceId: string, id: string): Promise<number> => {
  const source = path.join(layout.uploadsDir(from), sourceId)
  if (!(await exists(source))) return 0
  const targetRoot = layout.uploadsDir(to)
  await ensureDir(layout, targetRoot)
  const target = path.join(targetRoot, id)
  // The document is not in the target store, so an upload dir under its id is ours from an interrupted run.
  await assertLocksHeld()
  await fs.remove(target)
  const temp = fs.tempPathFor(target)
  const copied = await copyTree(source, temp)
  await fs.rename(temp, target)
  return copied.files
}

/**
 * A conversation is read only when the id inside its file is the id its file is named
 * after, so one merged under a new name gets the new id written in. A file that is not
 * a JSON object was unreadable in the source and is copied as it is.
 */
const withConversationId = (bytes: Buffer, id: string): Buffer => {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    return bytes
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bytes
  return Buffer.from(`${JSON.stringify({ ...value, id }, null, 2)}\n`)
}

const mergeConversations = async ({ layout }: FsMoveDeps, from: Scope, to: Scope, counts: ScopeMergeCounts): Promise<void> => {
  const source = layout.conversationsDir(from)
  if (!(await exists(source))) return
  const target = layout.conversationsDir(to)
  await ensureDir(layout, target)
  for await (const entry of await fs.opendir(source)) {
    if (!entry.isFile() || !entry.name.endsWith('.json') || fs.isTempName(entry.name)) continue
    let bytes: Buffer = await fs.readFile(path.join(source, entry.name))
    let name = entry.name
    const existing = path.join(target, name)
    if (await exists(existing)) {
      if ((await fs.readFile(existing)).equals(bytes)) continue
      const id = deriveClashId(name.slice(0, -'.json'.length), from.dir)
      name = `${id}.json`
      counts.renamed.push({ from: entry.name, to: name })
      if (await exists(path.join(target, name))) continue
      bytes = withConversationId(bytes, id)
    }
    await fs.writeFileAtomic(path.join(target, name), bytes)
    counts.conversations++
  }
}

/**
 * Runs (or replays) a merge. The caller holds both locks and has begun the
 * intent. Phase `merged` is written before the source is removed, so a replay
 * after that point only finishes the removal.
 */
export const runMergeMigration = async (deps: FsMoveDeps, intent: JournalIntent, from: Scope, to: Scope, onProgress?: (progress: ScopeMoveProgress) => void): Promise<ScopeMergeCounts> => {
  const { layout } = deps
  const counts = emptyMergeCounts()
  if (intent.phase !== 'merged') {
    const storeDeps = { withStore: deps.withStore, copyUpload: (sourceId: string, id: string) => copyUploads(layout, from, to, sourceId, id) }
    if (await exists(layout.vectorsDir(from))) await mergeStore(storeDeps, from, to, 'documents', counts, onProgress)
    if (await exists(layout.memoryDir(from))) await mergeStore(storeDeps, from, to, 'memory', counts, onProgress)
    await mergeConversations(deps, from, to, counts)
    crashPoint('migrate-merge:before-merged')
    await updateIntent(layout, intent, 'merged')
  }
  if (intent.data.copy !== true) {
    await deps.evict(from)
    await moveScopesToTrash(layout, [from], intent.id, 'migrate-merge')
    await emptyTrash(layout, intent.id)
  }
  await endIntent(layout, intent)
  return counts
}
