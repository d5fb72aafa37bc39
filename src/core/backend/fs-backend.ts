/**
 * The embedded storage backend: scopes as directories under one data dir, one
 * hnswlib store per scope (and one for its memory), opened through an LRU pool.
 *
 * Reads are served from the open store and touch no store file, so their checks
 * are cheap: symlinks are checked when a store is opened (and before every
 * write); whether the scope is journaled or locked by another process, and
 * whether another process changed its store, is checked at most once per
 * `readFreshnessMs` (default 50 ms) per scope. Anything this process changes
 * (a commit, an intent) voids those answers at once; a change by another
 * process is seen at most `readFreshnessMs` late. Writes and callers holding the
 * lock check everything on every call.
 */
import { isSessionRetired, retireSession } from '../retired-sessions.js'
import { readQuota, writeQuota } from '../quota-store.js'
import path from 'node:path'
import { createActivityTracker } from '../activity.js'
import { ACTIVITY_COALESCE_MS, DEFAULT_LOCK_WAIT_MS, DEFAULT_MAX_OPEN_STORES, DEFAULT_MAX_STORE_MEMORY, DEFAULT_READ_FRESHNESS_MS, DEFAULT_STORE_IDLE_MS } from '../defaults.js'
import { createLocalEmbedder } from '../embeddings/local.js'
import { BusyError } from '../errors.js'
import * as fs from '../fs.js'
import { cachedPendingIntentsFor, pendingIntentsFor } from '../journal.js'
import { assertNoSymlinks, createLayout, ensureDir } from '../layout.js'
import { localChangeEpoch } from '../local-changes.js'
import { assertLocksHeld, isLockedElsewhere, withScopeLock } from '../lock.js'
import { fsUploadFiles } from '../ingest/upload-files.js'
import { StorePool } from '../pool.js'
import { measureTree, scanScopes } from '../scan.js'
import type { Scope } from '../keys.js'
import type { VectorStore } from '../store/types.js'
import { assertDocumentId } from '../ingest/document-id.js'
import { isConversationId } from '../sessions.js'
import { readFsPendingOperations } from './fs-pending.js'
import { fsConversations } from './fs-conversations.js'
import type { BackendOptions, ListScopesOptions, ScopeHoldings, ScopeUsage, StorageBackend, StoreCompaction, StorePart, StoredUpload, WithStoreOptions } from './types.js'
import { createInUseCounter } from './in-use.js'
import { createFsScopeReports } from './fs-scope-reports.js'
import { createFsScopeMoves } from './fs-scope-moves.js'

// Loaded on the first store open: the store pulls in hnswlib-node and zod, which `bento du`, ls and cleanup never use.
let storeModule: Promise<typeof import('../store/index.js')> | undefined
const loadStore = () => (storeModule ??= import('../store/index.js'))
// Likewise on first use: what only export, import and adopt need (docs/ARCHITECTURE.md, "What the CLI loads").
const loadExport = () => import('./fs-scope-export.js')
const loadImport = () => import('./fs-scope-import.js')
const loadAdopt = () => import('./fs-adopt.js')

export { DEFAULT_LOCK_WAIT_MS, DEFAULT_READ_FRESHNESS_MS }
/** hnswlib's fixed native memory per index (label mutexes): `HNSW_FIXED_BYTES` in store/footprint.ts. */
const HNSW_INDEX_FLOOR_BYTES = 65_536 * 40
/** A background compaction waits this long for a scope busy with writes, then gives up until the next write. */
const COMPACT_LOCK_WAIT_MS = 10_000

interface ReadGate {
  /** performance.now() until which the scope counts as checked, at the local-change epoch below. */
  until: number
  epoch: number
  checking: Promise<void> | undefined
}

interface ExistsCheck {
  until: number
  epoch: number
  lookup: Promise<boolean> | undefined
}

/**
 * @example
 * const backend = createFsBackend({ dataDir: './data' })
 * const docs = await backend.withStore(customScope('user-1'), async (store) => store.listDocuments())
 * await backend.close()
 */
export const createFsBackend = (options: BackendOptions): StorageBackend => {
  const layout = createLayout(options.dataDir)
  const embedder = options.embedder ?? createLocalEmbedder()
  const activityWindowMs = Math.max(0, options.activityCoalesceMs ?? ACTIVITY_COALESCE_MS)
  const activity = createActivityTracker({ layout, coalesceMs: activityWindowMs, ...(options.now ? { now: options.now } : {}) })
  const freshMs = Math.max(0, options.readFreshnessMs ?? DEFAULT_READ_FRESHNESS_MS)
  const maxOpen = options.maxOpenStores ?? DEFAULT_MAX_OPEN_STORES
  const maxBytes = options.maxStoreMemory ?? DEFAULT_MAX_STORE_MEMORY
  // Closes and opens come in bursts (one eviction per open): every object a close frees must wait for the
  // next open. No more hnswlib objects than the budget can hold open at once are kept idle.
  let poolStore: ReturnType<typeof loadStore> | undefined
  const loadPoolStore = () =>
    (poolStore ??= loadStore().then((store) => {
      store.keepIdleIndexes(Math.min(maxOpen, Math.floor(maxBytes / HNSW_INDEX_FLOOR_BYTES)))
      return store
    }))
  const pool = new StorePool({
    maxOpen,
    maxBytes,
    idleMs: options.storeIdleMs ?? DEFAULT_STORE_IDLE_MS,
    freshMs,
    open: async (dir: string, { lazy }) => {
      // Threat: a scope dir swapped for a symlink to elsewhere; test/core/backend/fs-backend.test.ts "refuses a symlinked scope".
      // Checked at every (re)open: a swap under an open store changes what isStale() sees, so it is reopened through here.
      await assertNoSymlinks(layout, dir)
      const { openStore } = await loadPoolStore()
      return openStore({ dir, dimension: embedder.dimension, embedderId: embedder.id, space: 'cosine', exactSearchMaxPoints: options.exactSearchMaxPoints, lazy })
    },
  })
  // Calls running in this process, per scope: what cleanup must not pull the floor from under.
  const running = createInUseCounter()
  // A scope's vectors dir is asked for several times per request; path.join normalizes each time.
  const vectorsDirs = new Map<string, string>()
  const vectorsDirOf = (scope: Scope): string => {
    const key = `${scope.kind}/${scope.dir}`
    let dir = vectorsDirs.get(key)
    if (dir === undefined) {
      if (vectorsDirs.size >= 4 * maxOpen) vectorsDirs.clear()
      dir = layout.vectorsDir(scope)
      vectorsDirs.set(key, dir)
    }
    return dir
  }

  // Scopes whose read checks passed, and scopes found to exist, recently; swept as they grow.
  const gates = new Map<string, ReadGate>()
  const existing = new Map<string, ExistsCheck>()

  const sweep = (map: Map<string, ReadGate | ExistsCheck>, now: number) => {
    if (map.size <= 2 * maxOpen) return
    for (const [id, gate] of map) if (gate.until <= now && !('checking' in gate ? gate.checking : gate.lookup)) map.delete(id)
  }

  const checkReadable = async (scope: Scope): Promise<void> => {
    if ((await cachedPendingIntentsFor(layout, scope)).length > 0) {
      throw new BusyError(`Scope "${scope.key}" has an operation in progress (migrate or cleanup); try again shortly.`, 2)
    }
    if (await isLockedElsewhere(layout, scope)) {
      throw new BusyError(`Scope "${scope.key}" is being changed by another process; try again shortly.`)
    }
  }

  /** Busy while the scope is journaled or locked by another process; concurrent reads share one check. */
  const assertReadable = (scope: Scope): Promise<void> => {
    const id = vectorsDirOf(scope)
    const now = performance.now()
    const epoch = localChangeEpoch()
    const gate = gates.get(id)
    if (gate?.checking) return gate.checking
    if (freshMs > 0 && gate && gate.epoch === epoch && now < gate.until) return Promise.resolve()
    const next: ReadGate = { until: 0, epoch, checking: undefined }
    const checking = checkReadable(scope).then(
      () => {
        next.until = now + freshMs
        next.checking = undefined
      },
      (error: unknown) => {
        if (gates.get(id) === next) gates.delete(id)
        throw error
      },
    )
    next.checking = checking
    gates.set(id, next)
    sweep(gates, now)
    return checking
  }

  // Asked per request by the server (search, activity): a scope found to exist is trusted like a
  // read check, and concurrent askers share one lookup.
  const scopeExists = (scope: Scope): Promise<boolean> => {
    const id = vectorsDirOf(scope)
    const now = performance.now()
    const epoch = localChangeEpoch()
    const known = existing.get(id)
    if (known?.lookup) return known.lookup
    if (known && known.epoch === epoch && now < known.until) return Promise.resolve(true)
    const lookup = (async () => (await isDir(id)) || (await isDir(layout.uploadsDir(scope))))()
    const next: ExistsCheck = { until: now + freshMs, epoch, lookup }
    existing.set(id, next)
    const settle = (exists: boolean) => {
      next.lookup = undefined
      if ((!exists || freshMs === 0) && existing.get(id) === next) existing.delete(id)
    }
    lookup.then(settle, () => settle(false))
    sweep(existing, now)
    return lookup
  }

  const storeDir = (scope: Scope, options: WithStoreOptions) =>
    options.part === 'memory' ? layout.memoryDir(scope) : vectorsDirOf(scope)

  const withStore = async <T>(scope: Scope, fn: (store: VectorStore) => Promise<T>, options: WithStoreOptions = {}): Promise<T> => {
    const dir = storeDir(scope, options)
    if (!options.write && !options.lockHeld) {
      await assertReadable(scope)
      // The vectors (or memory) dir is checked by the pool's open; a read does not touch uploads.
      if (!pool.has(dir)) await assertNoSymlinks(layout, layout.uploadsDir(scope))
      return counted(scope, () => pool.use(dir, fn, { lazy: options.lazy }))
    }
    // Threat: a scope dir swapped for a symlink to elsewhere; test/core/backend/fs-backend.test.ts "refuses a symlinked scope".
    await assertNoSymlinks(layout, dir)
    await assertNoSymlinks(layout, layout.uploadsDir(scope))
    if (!options.lockHeld && (await pendingIntentsFor(layout, scope)).length > 0) {
      throw new BusyError(`Scope "${scope.key}" has an operation in progress (migrate or cleanup); try again shortly.`, 2)
    }
    // Under the lock: whatever another process committed before it was taken must be seen now.
    return counted(scope, async () => {
      if (!options.lockHeld) {
        // This process's own background compaction holds the lock until it is done: a write waits for it rather
        // than time out as if another process were busy (a large `bento add` failed "locked" mid-run).
        // Test: test/core/backend/fs-backend.test.ts "a write right after … waits for the background compaction".
        await compacting.get(dir)
        let due = false
        const result = await withScopeLock(layout, scope, async () => {
          await ensureDir(layout, dir)
          await ensureDir(layout, layout.uploadsDir(scope))
          const result = await pool.use(dir, async (store) => {
            try {
              return await fn(store)
            } finally {
              due = store.logStats().due
            }
          }, { freshMs: 0, lazy: options.lazy })
          // Under the lock, so a cleanup in another process never races this write.
          await activity.record(scope)
          return result
        }, { waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS })
        if (due) compactLater(scope, options.part ?? 'documents')
        return result
      }
      if (options.write) {
        await ensureDir(layout, dir)
        await ensureDir(layout, layout.uploadsDir(scope))
      }
      return pool.use(dir, fn, { freshMs: 0, lazy: options.lazy })
    })
  }

  const counted = <T>(scope: Scope, call: () => Promise<T>): Promise<T> => running.around(vectorsDirOf(scope), call)

  // Background compactions: one per store dir at a time; `close()` waits for them.
  const compacting = new Map<string, Promise<void>>()

  /**
   * Folds a store's commit log once it is due, after the write that made it due released
   * the lock: under the scope's lock again, and only if the store is still there (a
   * cleanup or migrate in between must not be undone by recreating its dir). A failure
   * changes nothing (the commit protocol) and the next write tries again.
   */
  const compactLater = (scope: Scope, part: StorePart): void => {
    const dir = storeDir(scope, { part })
    if (compacting.has(dir)) return
    const run = (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve))
      await withScopeLock(layout, scope, async () => {
        if ((await pendingIntentsFor(layout, scope)).length > 0) return
        if (!(await fs.lstatOrUndefined(path.join(dir, 'bento.json')))?.isFile()) return
        await assertNoSymlinks(layout, dir)
        await counted(scope, () => pool.use(dir, (store) => store.compactLog(), { freshMs: 0 }))
      }, { waitMs: COMPACT_LOCK_WAIT_MS })
    })().catch(() => undefined).finally(() => compacting.delete(dir))
    compacting.set(dir, run)
  }

  const compact = async (scope: Scope, options: { lockWaitMs?: number } = {}): Promise<StoreCompaction[]> => {
    const results: StoreCompaction[] = []
    for (const part of ['documents', 'memory'] as const) {
      const dir = storeDir(scope, { part })
      if (!(await isDir(dir))) continue
      await compacting.get(dir)
      const figures = (store: VectorStore) => {
        const { live, deleted } = store.stats()
        const log = store.logStats()
        return { live, deleted, logRecords: log.records, logBytes: log.bytes }
      }
      results.push(await withStore(scope, async (store) => {
        const before = figures(store)
        await store.compact()
        return { part, before, after: figures(store) }
      }, { write: true, part, lockWaitMs: options.lockWaitMs }))
    }
    return results
  }

  async function* listScopes(options: ListScopesOptions = {}) {
    yield* scanScopes(layout, options)
  }

  const evictScope = async (scope: Scope) => {
    await pool.evict(layout.vectorsDir(scope))
    await pool.evict(layout.memoryDir(scope))
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

  const readUpload = async (scope: Scope, documentId: string, options: { content?: boolean } = {}): Promise<StoredUpload | undefined> => {
    const dir = path.join(layout.uploadsDir(scope), assertDocumentId(documentId))
    // Threat: a document folder swapped for a link to elsewhere; test/server/documents-fetch.test.ts.
    await assertNoSymlinks(layout, dir)
    if (!(await isDir(dir))) return undefined
    const files = (await fs.readdirEntries(dir)).filter((entry) => entry.isFile() && !fs.isTempName(entry.name))
    if (files.length !== 1) return undefined
    const fileName = files[0]!.name
    const file = path.join(dir, fileName)
    if (options.content === false) return { fileName, size: (await fs.lstat(file)).size, bytes: undefined }
    const bytes = await fs.readFileNoFollow(file)
    return { fileName, size: bytes.length, bytes }
  }

  const countConversations = async (scope: Scope): Promise<number> => {
    try {
      return (await fs.readdir(layout.conversationsDir(scope))).filter((name) => name.endsWith('.json') && isConversationId(name.slice(0, -5))).length
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
      throw error
    }
  }

  /** Counts from the manifests when they can answer (constant time), else from the opened stores. */
  const holdingsOf = async (scope: Scope, lockHeld: boolean): Promise<ScopeHoldings> => {
    const { peekStore } = await loadStore()
    const part = async (dir: string, options: WithStoreOptions, count: (store: VectorStore) => number, peeked: (peek: NonNullable<Awaited<ReturnType<typeof peekStore>>>) => number) => {
      if (!(await isDir(dir))) return 0
      const peek = await peekStore(dir)
      return peek ? peeked(peek) : withStore(scope, async (store) => count(store), options)
    }
    return {
      documents: await part(layout.vectorsDir(scope), { lockHeld }, (store) => store.listDocuments().length, (peek) => peek.documents),
      memories: await part(layout.memoryDir(scope), { lockHeld, part: 'memory' }, (store) => store.stats().live, (peek) => peek.stats.live),
      uploads: (await measureTree(layout.uploadsDir(scope))).files,
      conversations: await countConversations(scope),
    }
  }

  const backend: StorageBackend = {
    layout,
    dataDir: layout.root,
    embedder,
    activityWindowMs,
    withStore,
    readUpload,
    exportScope: async (scope, fn, options) =>
      (await loadExport()).exportFsScope({ layout, withStore, scopeExists, createdAt: (s) => activity.createdAt(s), lastActiveAt: (s) => activity.lastActiveAt(s) }, scope, fn, options),
    importScope: async (scope, source, options) => {
      await (await loadImport()).importFsScope({ layout, embedder, holdings: (s) => holdingsOf(s, true), evict: (s) => evictScope(s) }, scope, source, options)
      activity.forget(scope)
    },
    holdings: (scope) => holdingsOf(scope, false),
    ...createFsScopeReports({ layout, lastActiveAt: (scope) => activity.lastActiveAt(scope) }),
    compact,
    adoptStore: async (scope, adoptOptions) => (await loadAdopt()).adoptFsStore(layout, scope, adoptOptions, () => evictScope(scope)),
    listScopes,
    scopeExists,
    async assertScopeSafe(scope) {
      await assertNoSymlinks(layout, layout.vectorsDir(scope))
      await assertNoSymlinks(layout, layout.uploadsDir(scope))
    },
    uploadFiles: (scope) =>
      fsUploadFiles(layout.uploadsDir(scope), async () => {
        const uploads = layout.uploadsDir(scope)
        await assertNoSymlinks(layout, uploads)
        // A lock lost since the index commit (another process took it over) must not remove uploads it now owns.
        await assertLocksHeld()
        await fs.remove(uploads)
      }),
    usage,
    touch: (scope) => activity.touch(scope),
    lastActiveAt: (scope) => activity.lastActiveAt(scope),
    createdAt: (scope) => activity.createdAt(scope),
    isInUse: (scope) =>
      running.has(layout.vectorsDir(scope)) || pool.isBusy(layout.vectorsDir(scope)) || pool.isBusy(layout.memoryDir(scope)),
    isLockedElsewhere: (scope) => isLockedElsewhere(layout, scope),
    pendingOperations: () => readFsPendingOperations(layout),
    openStores: () => ({ count: pool.size, bytes: pool.bytes, maxBytes }),
    evict: (scope) => evictScope(scope),
    retireSession: (scope) => retireSession(layout, scope),
    isSessionRetired: (scope) => isSessionRetired(layout, scope),
    getQuota: (scope) => readQuota(layout, scope),
    setQuota: (scope, quota) => writeQuota(layout, scope, quota),
    ...fsConversations(layout),
    async close() {
      while (compacting.size > 0) await Promise.all(compacting.values())
      await activity.flush()
      await pool.closeAll()
    },
    ...createFsScopeMoves({
      layout, withStore, evict: evictScope, scopeExists,
      isInUse: (scope) => backend.isInUse(scope),
      assertScopeSafe: (scope) => backend.assertScopeSafe(scope),
      lastActiveAt: (scope) => activity.lastActiveAt(scope),
    }),
  }
  return backend
}
