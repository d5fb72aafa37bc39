/**
 * The filesystem backend's side of `bento import`: a whole scope is built in
 * `.bento/trash/<operation id>/` (its stores written through the store API, so
 * the files are whatever the store code of this version writes), then published
 * by two renames under the scope's lock. A journal intent makes it all or
 * nothing: killed while staging, the next command discards the staging; killed
 * once staged, the next command finishes the renames.
 */
import path from 'node:path'
import { BusyError, ConflictError, InvalidInputError } from '../errors.js'
import { crashPoint } from '../faults.js'
import * as fs from '../fs.js'
import { assertValidFileName } from '../ingest/file-name.js'
import { beginIntent, endIntent, pendingIntentsFor, releaseIntent, updateIntent, type JournalIntent } from '../journal.js'
import { ACTIVITY_FILE, CONVERSATIONS_DIR, MEMORY_DIR, assertInside, assertNoSymlinks, ensureDir, type Layout, type Tree } from '../layout.js'
import { withScopeLock } from '../lock.js'
import { isConversationId } from '../sessions.js'
import type { Embedder } from '../embeddings/types.js'
import type { Scope } from '../keys.js'
import type { ScopeHoldings, ScopeImportSource, ScopeIoOptions, ScopeStoreContents } from './types.js'

export const IMPORT_OP = 'import'
const TREES: readonly Tree[] = ['vectors', 'uploads']

export interface ScopeImportDeps {
  layout: Layout
  embedder: Embedder
  /** Counts under the held lock. */
  holdings(scope: Scope): Promise<ScopeHoldings>
  evict(scope: Scope): Promise<void>
}

const stagingOf = (layout: Layout, id: string): string => {
  const dir = path.join(layout.trashDir, id)
  assertInside(layout.trashDir, dir)
  return dir
}

const exists = async (p: string) => (await fs.lstatOrUndefined(p)) !== undefined

const stageStore = async (dir: string, contents: ScopeStoreContents, embedder: Embedder): Promise<void> => {
  if (contents.chunks.length === 0) return
  const { openStore } = await import('../store/index.js')
  const store = await openStore({
    dir,
    dimension: contents.dimension ?? embedder.dimension,
    embedderId: contents.embedderId ?? embedder.id,
    space: contents.space,
    efSearch: contents.efSearch,
  })
  try {
    // Stored vectors, added bit for bit: never re-embedded, never normalized again.
    await store.add(contents.chunks.map((chunk) => ({ ...chunk, stored: true })))
  } finally {
    await store.close()
  }
}

/**
 * Threat: a document id or file name from an archive used as a path component
 * (`../x`, `a/b`): each is checked by the same rules uploads are written with,
 * whatever the archive reader already checked.
 */
const uploadPath = (root: string, documentId: string, name: string): string => {
  assertValidFileName(documentId)
  assertValidFileName(name)
  const file = path.join(root, documentId, name)
  assertInside(root, file)
  return file
}

const stage = async (deps: ScopeImportDeps, staging: string, source: ScopeImportSource, now: Date): Promise<void> => {
  const { layout, embedder } = deps
  const vectors = path.join(staging, 'vectors')
  const uploads = path.join(staging, 'uploads')
  await ensureDir(layout, vectors)
  await stageStore(vectors, source.documents, embedder)
  await stageStore(path.join(vectors, MEMORY_DIR), source.memory, embedder)
  if (source.conversations.length > 0) {
    const dir = path.join(vectors, CONVERSATIONS_DIR)
    await ensureDir(layout, dir)
    for (const conversation of source.conversations) {
      if (!isConversationId(conversation.id)) throw new InvalidInputError(`Invalid conversation id ${JSON.stringify(conversation.id.slice(0, 60))}.`)
      await fs.writeJsonAtomic(path.join(dir, `${conversation.id}.json`), conversation)
    }
  }
  // An import is activity: a restored scope must not look expired to the next cleanup.
  const createdAt = source.createdAt && source.createdAt.getTime() <= now.getTime() ? source.createdAt : now
  await fs.writeJsonAtomic(path.join(vectors, ACTIVITY_FILE), { createdAt: createdAt.toISOString(), lastActiveAt: now.toISOString() })
  await ensureDir(layout, uploads)
  for await (const upload of source.uploads) {
    const file = uploadPath(uploads, upload.documentId, upload.name)
    await ensureDir(layout, path.dirname(file))
    await fs.writeStreamDurable(file, upload.content)
    await fs.fsyncDir(path.dirname(file))
  }
  await fs.fsyncDir(uploads)
  await fs.fsyncDir(vectors)
}

/** Renames the staged trees into place; idempotent, so it is also the replay of a crash after staging. */
const publish = async (layout: Layout, intent: JournalIntent, scope: Scope): Promise<void> => {
  const staging = stagingOf(layout, intent.id)
  for (const tree of TREES) {
    const from = path.join(staging, tree)
    if (!(await exists(from))) continue // published before a crash
    const to = layout.scopeDir(tree, scope)
    await assertNoSymlinks(layout, to)
    // What occupies the target holds no data (checked under the lock): an empty store, an activity file.
    if (await exists(to)) await fs.rename(to, path.join(staging, `replaced-${tree}`))
    await ensureDir(layout, path.dirname(to))
    await fs.rename(from, to)
    await fs.fsyncDir(path.dirname(to))
    crashPoint(`import:after-publish-${tree}`)
  }
  await fs.remove(staging)
  await endIntent(layout, intent)
}

/**
 * Finishes an import a crash interrupted (called by `recoverPendingOperations`
 * under the scope's lock): staged means publish, anything earlier means discard.
 */
export const finishFsImport = async (layout: Layout, intent: JournalIntent, scope: Scope): Promise<void> => {
  if (intent.phase === 'staged') return publish(layout, intent, scope)
  await fs.remove(stagingOf(layout, intent.id))
  await endIntent(layout, intent)
}

const isEmpty = (held: ScopeHoldings) => held.documents + held.memories + held.uploads + held.conversations === 0

export const describeHoldings = (held: ScopeHoldings): string =>
  `${held.documents} documents, ${held.memories} memories, ${held.uploads} uploads, ${held.conversations} conversations`

/**
 * @example
 * await importFsScope(deps, customScope('user-2'), source, { lockWaitMs: 2000 })
 */
export const importFsScope = async (deps: ScopeImportDeps, scope: Scope, source: ScopeImportSource, options: ScopeIoOptions = {}): Promise<void> => {
  const { layout } = deps
  await withScopeLock(layout, scope, async () => {
    if ((await pendingIntentsFor(layout, scope)).length > 0) {
      throw new BusyError(`Scope "${scope.key}" has an operation in progress (migrate, cleanup or import); try again shortly.`, 2)
    }
    for (const tree of TREES) await assertNoSymlinks(layout, layout.scopeDir(tree, scope))
    const held = await deps.holdings(scope)
    if (!isEmpty(held)) {
      throw new ConflictError(`Scope "${scope.key}" already holds data (${describeHoldings(held)}); import refuses to merge. Import into another key with --as, or remove it first.`)
    }
    await deps.evict(scope)
    const intent = await beginIntent(layout, { op: IMPORT_OP, scopes: [scope], phase: 'staging', data: {} })
    const staging = stagingOf(layout, intent.id)
    try {
      await stage(deps, staging, source, new Date())
      crashPoint('import:after-stage')
      await updateIntent(layout, intent, 'staged')
    } catch (error) {
      // Nothing is published before 'staged': undo here rather than leave busy scopes for the next command.
      try {
        await fs.remove(staging)
        await endIntent(layout, intent)
      } catch {
        releaseIntent(intent)
      }
      throw error
    }
    try {
      await publish(layout, intent, scope)
    } catch (error) {
      releaseIntent(intent) // the next command rolls it forward
      throw error
    } finally {
      await deps.evict(scope)
    }
  }, { waitMs: options.lockWaitMs ?? 2000 })
}
