/**
 * What describe-backend-conformance.ts hands each area's conformance file: the
 * target, the embedder and clock the backends are built with, and its helpers.
 * An area file exports `describe<Area>(kit)`, registering `it(...)`s with them.
 */
import type { StorageBackend } from '../../../../src/core/backend/types.js'
import type { Embedder } from '../../../../src/core/embeddings/types.js'
import type { Scope, ScopeKind } from '../../../../src/core/keys.js'
import type { ChunkInput } from '../../../../src/core/store/types.js'
import type { ConformanceStorage, ConformanceTarget } from './describe-backend-conformance.js'

export interface OpenedStorage {
  storage: ConformanceStorage
  backend: StorageBackend
  /** Another backend on the same storage, closed after the test. */
  reopen(): Promise<StorageBackend>
}

export interface ConformanceKit {
  target: ConformanceTarget
  embedder: Embedder
  dimension: number
  /** The injected clock's time when a storage is opened. */
  t0: number
  setClock(ms: number): void
  /** Fresh storage, cleaned up after the test. */
  open(options?: { activityCoalesceMs?: number }): Promise<OpenedStorage>
  chunksOf(documentId: string, texts: string[]): Promise<ChunkInput[]>
  /** Adds one document's chunks in a write `withStore`. */
  write(backend: StorageBackend, scope: Scope, documentId: string, texts: string[]): Promise<void>
  /** `kind:key` of every listed scope, sorted. */
  keys(backend: StorageBackend, kinds?: ScopeKind[]): Promise<string[]>
}
