/**
 * The storage backend: everything above `core/` (ops, CLI, server) reaches a
 * scope's data only through this interface. The filesystem backend
 * (`createFsBackend`) is the embedded default; a PostgreSQL + pgvector backend
 * can implement the same interface later without changes above it.
 */
import type { Embedder } from '../embeddings/types.js'
import type { UploadFiles } from '../ingest/upload-files.js'
import type { Layout } from '../layout.js'
import type { Scope, ScopeKind } from '../keys.js'
import type { Conversation } from '../conversation-model.js'
import type { ConversationStorage } from './contract/conversations.js'
import type { ExportedChunk, Space, VectorStore } from '../store/types.js'
import type { ScopeReports } from './contract/scope-reports.js'
import type { ScopeMoves } from './contract/scope-moves.js'

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
  /**
   * The call needs only `stats`, `logStats`, `listDocuments` and `add`: a backend may then
   * open the store without loading its index and documents (`bento add` into a large scope
   * costs what it adds). Any other method still works, loading what it needs. Default false.
   */
  lazy?: boolean
}

export interface ScopeUsage {
  scope: Scope
  vectorBytes: number
  uploadBytes: number
  totalBytes: number
  files: number
  lastActiveAt: Date | undefined
}

/** A scope's own limits (`bento quota`, the admin API); a field left out is not limited by it. */
export interface ScopeQuota {
  maxBytes?: number
  maxDocuments?: number
}

export interface StoredUpload {
  fileName: string
  size: number
  /** The file's bytes, unless `content: false` was asked for. */
  bytes: Uint8Array | undefined
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
  /** The clock activity is recorded with, in ms since the epoch. Default `Date.now` (tests inject one). */
  now?: () => number
}

/** One of a scope's two stores as a whole: its parameters and every live chunk with its stored vector. */
export interface ScopeStoreContents {
  /** undefined when the store never recorded one (empty, or adopted from LangChain). */
  embedderId: string | undefined
  dimension: number | undefined
  space: Space
  efSearch: number | undefined
  chunks: ExportedChunk[]
}

/** A kept original file, read on demand (an archive writer streams them one at a time). */
export interface ScopeUpload {
  documentId: string
  name: string
  size: number
  read(): Promise<Buffer>
}

/** What `exportScope` hands its callback: everything the scope holds, consistent (read under its lock). */
export interface ScopeSnapshot {
  scope: Scope
  createdAt: Date | undefined
  lastActiveAt: Date | undefined
  documents: ScopeStoreContents
  memory: ScopeStoreContents
  uploads: ScopeUpload[]
  conversations: Conversation[]
}

/** An upload to write on import, its bytes streamed (the source verifies them as they pass). */
export interface ScopeUploadSource {
  documentId: string
  name: string
  size: number
  content: AsyncIterable<Uint8Array>
}

/** What `importScope` writes: a whole scope, published at once. */
export interface ScopeImportSource {
  createdAt: Date | undefined
  documents: ScopeStoreContents
  memory: ScopeStoreContents
  conversations: Conversation[]
  /** Consumed once, in order, after the stores are staged; an error thrown by it aborts the import. */
  uploads: AsyncIterable<ScopeUploadSource>
}

export interface ScopeIoOptions {
  /** How long to wait for the scope's lock before `LockedError`. Default 2000 ms. */
  lockWaitMs?: number
}

/** An operation recorded as started and not finished: running elsewhere, or interrupted by a crash. */
export interface PendingOperation {
  id: string
  /** `migrate-rename`, `migrate-merge`, `cleanup`, `import`, …; `unreadable` for a record that cannot be read. */
  op: string
  /** The scopes it changes (they answer busy until it is finished). */
  scopes: Scope[]
  /** Its process is alive (a running operation), not crashed. */
  running: boolean
}

/** What a scope holds, counted (an import target must hold none of it). */
export interface ScopeHoldings {
  documents: number
  memories: number
  uploads: number
  conversations: number
}

/** One store's commit log and deleted points, before and after a compaction. */
export interface StoreCompaction {
  part: StorePart
  before: { live: number; deleted: number; logRecords: number; logBytes: number }
  after: { live: number; deleted: number; logRecords: number; logBytes: number }
}

export interface AdoptStoreOptions {
  /** The embedder that made the store's vectors, recorded in its manifest. */
  embedderId: string
  /** That embedder's dimension: must equal the stored vectors' (else `EmbedderMismatchError`, nothing written). */
  dimension: number
  /** Check and report, write nothing. */
  dryRun?: boolean
  lockWaitMs?: number
}

export interface StoreAdoption {
  /** The stored vectors' dimension. */
  dimension: number
  live: number
  /** The embedder the store recorded before; undefined when it was unknown. */
  previousEmbedderId: string | undefined
  /** Why the manifest is rebuilt from the data files (it disagreed with them: another tool changed the store), or undefined. */
  rebuiltManifest: string | undefined
  /** False when the store already recorded this embedder (nothing to write). */
  changed: boolean
}

export interface StorageBackend extends ConversationStorage, ScopeMoves, ScopeReports {
  readonly layout: Layout
  /**
   * The directory the backend keeps scopes in, when it keeps them in files (the fs backend's data dir);
   * undefined for a database. Outputs such as archives must not be written inside it.
   */
  readonly dataDir?: string
  readonly embedder: Embedder
  /**
   * Activity is recorded at most once per scope per this window (`activityCoalesceMs`),
   * so a scope's recorded last activity may be this much older than its real one.
   * Cleanup adds it to every idle age: a scope used within the window is never idle.
   */
  readonly activityWindowMs: number
  /**
   * Runs `fn` with the scope's open store (created in memory if absent; nothing
   * is written until a change). A read never sees another process's write half
   * done: the fs backend answers `BusyError` while another process holds the
   * scope's lock, a database backend reads the last committed state. Writes hold
   * the scope lock.
   */
  withStore<T>(scope: Scope, fn: (store: VectorStore) => Promise<T>, options?: WithStoreOptions): Promise<T>
  /**
   * Declares the embedder of the scope's document store when another tool wrote it (its embedder
   * unknown, or its manifest disagreeing with its files), under the scope's lock. Test: test/ops/adopt.test.ts.
   */
  adoptStore(scope: Scope, options: AdoptStoreOptions): Promise<StoreAdoption>
  /** Streams every scope on disk (never one giant array; skips names that are not scope dirs). */
  listScopes(options?: ListScopesOptions): AsyncIterable<Scope>
  scopeExists(scope: Scope): Promise<boolean>
  /**
   * Throws `UnsafePathError` when the scope's storage was tampered with so that
   * operating on it could reach outside the backend (fs: a symlink at or on the
   * way to one of its dirs). Operations over many scopes skip and report such a
   * scope instead of failing for all. Resolves for a scope that does not exist.
   */
  assertScopeSafe(scope: Scope): Promise<void>
  /**
   * The kept original of a document (`undefined` when it has none), never read through a link.
   * Call it inside `withStore` for the same scope, so the document and its file are read under the same checks.
   */
  readUpload(scope: Scope, documentId: string, options?: { content?: boolean }): Promise<StoredUpload | undefined>
  /** The scope's kept originals, for the ingest commit and document deletes: call it inside a write `withStore` of the scope. */
  uploadFiles(scope: Scope): UploadFiles
  usage(scope: Scope): Promise<ScopeUsage>
  /** Records activity now; coalesced, so cheap to call per request. */
  touch(scope: Scope): void
  /** Last recorded activity, falling back to file times for scopes that have none. */
  lastActiveAt(scope: Scope): Promise<Date | undefined>
  createdAt(scope: Scope): Promise<Date | undefined>
  /** True while this process runs an operation on the scope's store. */
  isInUse(scope: Scope): boolean
  /**
   * Operations started and not finished, read only: nothing is finished, claimed or swept.
   * Read-only commands and dry runs report these; write commands finish them first.
   */
  pendingOperations(): Promise<PendingOperation[]>
  /** True while another process (or replica) holds the scope's lock: a write is in flight there. */
  isLockedElsewhere(scope: Scope): Promise<boolean>
  /**
   * Runs `fn` with a consistent snapshot of the whole scope (its lock held, so no
   * write lands meanwhile); reads only. Busy while an operation on it is pending.
   */
  exportScope<T>(scope: Scope, fn: (snapshot: ScopeSnapshot) => Promise<T>, options?: ScopeIoOptions): Promise<T>
  /**
   * Creates the scope from `source`, all or nothing: staged aside, then published
   * under the scope's lock (a crash leaves nothing or everything, finished by the
   * next command). Refuses with `ConflictError` a scope that holds data.
   */
  importScope(scope: Scope, source: ScopeImportSource, options?: ScopeIoOptions): Promise<void>
  /**
   * Folds each of the scope's stores' commit log into its base files and drops deleted
   * points, under the scope's lock; a store without either is left alone. Stores that
   * do not exist are not listed. Writes also compact a store in the background once its
   * log is due (`VectorStore.logStats().due`).
   */
  compact(scope: Scope, options?: ScopeIoOptions): Promise<StoreCompaction[]>
  /** What the scope holds now (zero counts for a scope that does not exist). */
  holdings(scope: Scope): Promise<ScopeHoldings>
  /** The open stores now: how many, the bytes they are charged (estimated footprints) and the budget. */
  openStores(): { count: number; bytes: number; maxBytes: number }
  /** Closes the scope's open stores (after running operations finish). */
  evict(scope: Scope): Promise<void>
  /** Marks an expired session id so it is never valid again (kept across restarts). A no-op for other scopes. */
  retireSession(scope: Scope): Promise<void>
  /** True for a session id that expired (`retireSession`). */
  isSessionRetired(scope: Scope): Promise<boolean>
  /** The scope's own quota, or undefined when none is set (a server's default quota then applies). */
  getQuota(scope: Scope): Promise<ScopeQuota | undefined>
  /** Sets the scope's own quota, or clears it with undefined; operator state, not scope data (migrate and export leave it). */
  setQuota(scope: Scope, quota: ScopeQuota | undefined): Promise<void>
  /** Flushes activity and closes every open store. */
  close(): Promise<void>
}
