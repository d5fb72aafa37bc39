/**
 * The embedded storage backend: scopes as directories under one data dir, one
 * hnswlib store per scope (and one for its memory), opened through an LRU pool.
 */
import { createActivityTracker } from '../activity.js'
import { createLocalEmbedder } from '../embeddings/index.js'
import { BusyError } from '../errors.js'
import * as fs from '../fs.js'
import { pendingIntentsFor } from '../journal.js'
import { assertNoSymlinks, createLayout, ensureDir } from '../layout.js'
import { isLockedElsewhere, withScopeLock } from '../lock.js'
import { StorePool } from '../pool.js'
import { measureTree, scanScopes } from '../scan.js'
import { openStore } from '../store/index.js'
import type { Scope } from '../keys.js'
import type { VectorStore } from '../store/types.js'
import type { BackendOptions, ListScopesOptions, ScopeUsage, StorageBackend, WithStoreOptions } from './types.js'

export const DEFAULT_LOCK_WAIT_MS = 2000

/**
 * @example
 * const backend = createFsBackend({ dataDir: './data' })
 * const docs = await backend.withStore(customScope('user-1'), async (store) => store.listDocuments())
 * await backend.close()
 */
export const createFsBackend = (options: BackendOptions): StorageBackend => {
  const layout = createLayout(options.dataDir)
  const embedder = options.embedder ?? createLocalEmbedder({ dimension: 384 })
  const activity = createActivityTracker({ layout, coalesceMs: options.activityCoalesceMs ?? 60_000 })
  const pool = new StorePool({
    maxOpen: options.maxOpenStores ?? 64,
    idleMs: options.storeIdleMs ?? 5 * 60_000,
    open: (dir: string) => openStore({ dir, dimension: embedder.dimension, embedderId: embedder.id, space: 'cosine' }),
  })
  // Calls running in this process, per scope: what cleanup must not pull the floor from under.
  const running = new Map<string, number>()

  const storeDir = (scope: Scope, options: WithStoreOptions) =>
    options.part === 'memory' ? layout.memoryDir(scope) : layout.vectorsDir(scope)

  // The pool reopens a store another process changed or removed (isStale) before each use.
  const useStore = <T>(dir: string, fn: (store: VectorStore) => Promise<T>): Promise<T> => pool.use(dir, fn)

  const withStore = async <T>(scope: Scope, fn: (store: VectorStore) => Promise<T>, options: WithStoreOptions = {}): Promise<T> => {
    const dir = storeDir(scope, options)
    // Threat: a scope dir swapped for a symlink to elsewhere; test/core/backend/fs-backend.test.ts "refuses a symlinked scope".
    await assertNoSymlinks(layout, dir)
    await assertNoSymlinks(layout, layout.uploadsDir(scope))
    if (!options.lockHeld && (await pendingIntentsFor(layout, scope)).length > 0) {
      throw new BusyError(`Scope "${scope.key}" has an operation in progress (migrate or cleanup); try again shortly.`, 2)
    }
    const id = layout.vectorsDir(scope)
    running.set(id, (running.get(id) ?? 0) + 1)
    try {
      if (options.write && !options.lockHeld) {
        return await withScopeLock(layout, scope, async () => {
          await ensureDir(layout, dir)
          await ensureDir(layout, layout.uploadsDir(scope))
          const result = await useStore(dir, fn)
          // Under the lock, so a cleanup in another process never races this write.
          await activity.record(scope)
          return result
        }, { waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS })
      }
      if (options.write) {
        await ensureDir(layout, dir)
        await ensureDir(layout, layout.uploadsDir(scope))
      } else if (!options.lockHeld && (await isLockedElsewhere(layout, scope))) {
        throw new BusyError(`Scope "${scope.key}" is being changed by another process; try again shortly.`)
      }
      return await useStore(dir, fn)
    } finally {
      const count = (running.get(id) ?? 1) - 1
      if (count <= 0) running.delete(id)
      else running.set(id, count)
    }
  }

  async function* listScopes(options: ListScopesOptions = {}) {
    yield* scanScopes(layout, options)
  }

  const isDir = async (p: string) => (await fs.lstatOrUndefined(p))?.isDirectory() === true

  const usage = async (scope: Scope): Promise<ScopeUsage> => {
    const vectors = await measureTree(layout.vectorsDir(scope))
    const uploads = await measureTree(layout.uploadsDir(scope))
    return {
      scope,
      vectorBytes: vectors.bytes,
      uploadBytes: uploads.bytes,
      totalBytes: vectors.bytes + uploads.bytes,
      files: vectors.files + uploads.files,
      lastActiveAt: await activity.lastActiveAt(scope),
    }
  }

  return {
    layout,
    embedder,
    withStore,
    listScopes,
    scopeExists: async (scope) => (await isDir(layout.vectorsDir(scope))) || (await isDir(layout.uploadsDir(scope))),
    usage,
    touch: (scope) => activity.touch(scope),
    lastActiveAt: (scope) => activity.lastActiveAt(scope),
    createdAt: (scope) => activity.createdAt(scope),
    isInUse: (scope) =>
      running.has(layout.vectorsDir(scope)) || pool.isBusy(layout.vectorsDir(scope)) || pool.isBusy(layout.memoryDir(scope)),
    async evict(scope) {
      await pool.evict(layout.vectorsDir(scope))
      await pool.evict(layout.memoryDir(scope))
    },
    async close() {
      await activity.flush()
      await pool.closeAll()
    },
  }
}
