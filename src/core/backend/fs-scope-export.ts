/**
 * The filesystem backend's side of `bento export`: a consistent read of a whole
 * scope (its two stores with their vectors, kept uploads, conversations and
 * activity) under the scope's lock. Reads only: nothing in the data dir changes.
 */
import path from 'node:path'
import { BusyError, CorruptStoreError, NotFoundError, UnsafePathError } from '../errors.js'
import * as fs from '../fs.js'
import { getConversation, type Conversation } from '../conversations.js'
import { pendingIntentsFor } from '../journal.js'
import { assertNoSymlinks, type Layout } from '../layout.js'
import { withScopeLock } from '../lock.js'
import { isConversationId } from '../sessions.js'
import type { Scope } from '../keys.js'
import type { VectorStore } from '../store/types.js'
import type { ScopeIoOptions, ScopeSnapshot, ScopeStoreContents, ScopeUpload, StorePart, WithStoreOptions } from './types.js'

export interface ScopeExportDeps {
  layout: Layout
  withStore<T>(scope: Scope, fn: (store: VectorStore) => Promise<T>, options?: WithStoreOptions): Promise<T>
  scopeExists(scope: Scope): Promise<boolean>
  createdAt(scope: Scope): Promise<Date | undefined>
  lastActiveAt(scope: Scope): Promise<Date | undefined>
}

const readStore = (deps: ScopeExportDeps, scope: Scope, part: StorePart): Promise<ScopeStoreContents> =>
  deps.withStore(scope, async (store) => {
    const stats = store.stats()
    const chunks = await store.exportChunks()
    return { embedderId: stats.embedderId, dimension: chunks.length > 0 ? stats.dimension : undefined, space: stats.space, efSearch: stats.efSearch, chunks }
  }, { part, lockHeld: true })

/**
 * `uploads/<dir>/<documentId>/<file name>`. Threat: a link planted in the uploads
 * tree that an export would follow and hand out (another scope's file, /etc/shadow):
 * refused, never followed. Temp names of crashed writes are not data and are left out.
 * Test: test/ops/export.test.ts "refuses to export a scope whose uploads hold a symlink".
 */
const listUploads = async (layout: Layout, scope: Scope): Promise<ScopeUpload[]> => {
  const root = layout.uploadsDir(scope)
  const top = await fs.lstatOrUndefined(root)
  if (top === undefined) return []
  if (!top.isDirectory()) throw new UnsafePathError(`Refusing to export ${path.relative(layout.root, root)}: not a directory.`)
  const uploads: ScopeUpload[] = []
  for (const docEntry of await fs.readdirEntries(root)) {
    if (fs.isTempName(docEntry.name)) continue
    const docDir = path.join(root, docEntry.name)
    if (docEntry.isSymbolicLink()) throw new UnsafePathError(`Refusing to export a symlink: ${path.relative(layout.root, docDir)}`)
    if (!docEntry.isDirectory()) continue
    for (const entry of await fs.readdirEntries(docDir)) {
      if (fs.isTempName(entry.name)) continue
      const file = path.join(docDir, entry.name)
      if (!entry.isFile()) throw new UnsafePathError(`Refusing to export ${entry.isSymbolicLink() ? 'a symlink' : 'a special file'}: ${path.relative(layout.root, file)}`)
      const { size } = await fs.lstat(file)
      uploads.push({
        documentId: docEntry.name,
        name: entry.name,
        size,
        read: async () => {
          const bytes = await fs.readFileNoFollow(file)
          if (bytes.length !== size) throw new CorruptStoreError(`${path.relative(layout.root, file)} changed size during the export.`)
          return bytes
        },
      })
    }
  }
  return uploads.sort((a, b) => (a.documentId === b.documentId ? (a.name < b.name ? -1 : 1) : a.documentId < b.documentId ? -1 : 1))
}

/** Every conversation, whatever its age (a copy of the data holds all of it); a damaged file fails the export. */
const readConversations = async (layout: Layout, scope: Scope): Promise<Conversation[]> => {
  const dir = layout.conversationsDir(scope)
  const stats = await fs.lstatOrUndefined(dir)
  if (stats === undefined) return []
  if (!stats.isDirectory()) throw new UnsafePathError(`Refusing to export ${path.relative(layout.root, dir)}: not a directory.`)
  const ids = (await fs.readdir(dir)).filter((name) => name.endsWith('.json') && isConversationId(name.slice(0, -'.json'.length))).map((name) => name.slice(0, -'.json'.length)).sort()
  const conversations: Conversation[] = []
  for (const id of ids) {
    try {
      conversations.push(await getConversation(layout, scope, id))
    } catch (error) {
      if (error instanceof NotFoundError) continue // removed meanwhile by a reader of an expired conversation
      throw error
    }
  }
  return conversations
}

/**
 * @example
 * await exportFsScope(deps, scope, async (snapshot) => writeArchive(snapshot, out))
 */
export const exportFsScope = async <T>(deps: ScopeExportDeps, scope: Scope, fn: (snapshot: ScopeSnapshot) => Promise<T>, options: ScopeIoOptions = {}): Promise<T> => {
  const { layout } = deps
  if (!(await deps.scopeExists(scope))) throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
  return withScopeLock(layout, scope, async () => {
    if ((await pendingIntentsFor(layout, scope)).length > 0) {
      throw new BusyError(`Scope "${scope.key}" has an operation in progress (migrate, cleanup or import); try again shortly.`, 2)
    }
    for (const dir of [layout.vectorsDir(scope), layout.uploadsDir(scope)]) await assertNoSymlinks(layout, dir)
    if (!(await deps.scopeExists(scope))) throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
    const snapshot: ScopeSnapshot = {
      scope,
      createdAt: await deps.createdAt(scope),
      lastActiveAt: await deps.lastActiveAt(scope),
      documents: await readStore(deps, scope, 'documents'),
      memory: await readStore(deps, scope, 'memory'),
      uploads: await listUploads(layout, scope),
      conversations: await readConversations(layout, scope),
    }
    return fn(snapshot)
  }, { waitMs: options.lockWaitMs ?? 2000 })
}
