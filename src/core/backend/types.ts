/**
 * The storage backend: everything above `core/` (ops, CLI, server) reaches a
 * scope's data only through this interface. The filesystem backend
 * (`createFsBackend`) is the embedded default; a PostgreSQL + pgvector backend
 * can implement the same interface later without changes above it.
 */
import type { Embedder } from '../embeddings/types.js'
import type { Layout } from '../layout.js'
import type { Scope, ScopeKind } from '../keys.js'
import type { VectorStore } from '../store/types.js'

/** Which of a scope's stores: its documents, or its persistent memory. */
export type StorePart = 'documents' | 'memory'

export interface WithStoreOptions {
  /** Holds the scope's cross-process lock for the call. Default false. */
  write?: boolean
  part?: StorePart
  /** How long a write waits for the lock before `LockedError`. Default 2000 ms. */
  lockWaitMs?: number
  /**
   * The caller already holds the scope's lock (an operation locking several
   * scopes at once, e.g. migrate): neither lock again nor answer busy for the
   * caller's own journaled operation. With `write`, dirs are still created.
   */
  lockHeld?: boolean
}

export interface ScopeUsage {
  scope: Scope
  vectorBytes: number
  uploadBytes: number
  totalBytes: number
  files: number
  lastActiveAt: Date | undefined
}

export interface ListScopesOptions {
  kinds?: ScopeKind[]
  /** Told about entries that are not listed: symlinks, stray files, names that are not scope dirs. */
  onSkip?: (skip: { path: string; reason: 'symlink' | 'not-a-scope' | 'not-a-directory' }) => void
}

export interface BackendOptions {
  dataDir: string
  embedder?: Embedder
  /** Open stores kept in the LRU pool, a second limit beside `maxStoreMemory`. Default 10,000. */
  maxOpenStores?: number
  /**
   * Bytes the open stores may hold (the sum of their estimated footprints: vectors or
   * hnswlib index, parsed docstore); least recently used stores close beyond it.
   * Default 512 MiB (`DEFAULT_MAX_STORE_MEMORY`).
   */
  maxStoreMemory?: number
  /** Stores of at most this many points are searched in JS, without hnswlib (see `StoreOpenOptions`). Default 1024. */
  exactSearchMaxPoints?: number
  /** Close a store unused for this long. Default 5 min. */
  storeIdleMs?: number
  /** Writes of the activity file are coalesced to at most one per scope per this window. Default 60 s. */
  activityCoalesceMs?: number
  /**
   * A read trusts the last check of its scope (not journaled, not locked by another
   * process, store unchanged on disk; and `scopeExists` a true answer) for this long: another process's change is seen
   * at most this late; this process's own changes at once. Default 50 ms; 0 checks every read.
   */
  readFreshnessMs?: number
}

export interface StorageBackend {
  readonly layout: Layout
  readonly embedder: Embedder
  /**
   * Runs `fn` with the scope's open store (created in memory if absent; nothing
   * is written until a change). Reads of a scope locked by another process
   * throw `BusyError`; writes hold the scope lock.
   */
  withStore<T>(scope: Scope, fn: (store: VectorStore) => Promise<T>, options?: WithStoreOptions): Promise<T>
  /** Streams every scope on disk (never one giant array; skips names that are not scope dirs). */
  listScopes(options?: ListScopesOptions): AsyncIterable<Scope>
  scopeExists(scope: Scope): Promise<boolean>
  usage(scope: Scope): Promise<ScopeUsage>
  /** Records activity now; coalesced, so cheap to call per request. */
  touch(scope: Scope): void
  /** Last recorded activity, falling back to file times for scopes that have none. */
  lastActiveAt(scope: Scope): Promise<Date | undefined>
  createdAt(scope: Scope): Promise<Date | undefined>
  /** True while this process runs an operation on the scope's store. */
  isInUse(scope: Scope): boolean
  /** Closes the scope's open stores (after running operations finish). */
  evict(scope: Scope): Promise<void>
  /** Flushes activity and closes every open store. */
  close(): Promise<void>
}
