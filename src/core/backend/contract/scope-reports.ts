/**
 * What read-only reports need from storage (`bento du`, `bento ls`, `bento inspect`
 * and their admin routes), without paths: a summary per scope, streamed over all
 * scopes, and the storage facts inspect checks beyond what a store answers.
 * Conformance: test/core/backend/conformance/scope-reports.ts.
 */
import type { Scope, ScopeKind } from '../../keys.js'
import type { ScopeQuota } from '../types.js'

export interface ScopeSummary {
  scope: Scope
  /** Bytes of the scope's stores (fs: apparent sizes of the files under its vectors dir; a database: the stored sizes of its chunks). */
  vectorBytes: number
  /** Bytes of its kept originals. */
  uploadBytes: number
  /** Files the bytes are in (fs: every file and link under both dirs; a database: its uploads). */
  files: number
  /** Distinct documents in its document store; present only when asked for (`documents: true`). */
  documents?: number
  lastActiveAt: Date | undefined
  /** The scope's own quota (`getQuota`), when asked for (`quotas: true`) and one is set. */
  quota?: ScopeQuota
}

export interface ScopeSummaryOptions {
  kinds?: ScopeKind[]
  /** Also count each scope's documents (ls asks; du does not pay for it). */
  documents?: boolean
  /** Also read each scope's own quota (du shows it), at a cost of the scopes that have one, not of every scope. */
  quotas?: boolean
  /** Told about entries not counted as scopes, and links counted as themselves and never followed. */
  onSkip?: (skip: { path: string; reason: 'symlink' | 'not-a-scope' | 'not-a-directory' }) => void
  /** fs: worker threads that walk big trees beside this thread (see `createScopeWalker`); 0 for none. Ignored by a database. */
  threads?: number
}

/** A kept original as storage holds it: the document it belongs to and the files under it. */
export interface StoredUploadEntry {
  /** The document id it is filed under (fs: the dir name under the scope's uploads dir). */
  documentId: string
  /** Names of its regular files (a document keeps exactly one; links are not listed). */
  files: string[]
}

export interface ScopeStorageReport {
  /** Where the scope is kept, for people (fs: its two dirs; a database: its schema and scope). */
  locations: { vectors: string; uploads: string }
  /** Which of the scope's stores exist (an absent one is not opened: that would create it). */
  stores: { documents: boolean; memory: boolean }
  uploads: { files: number; bytes: number; entries: StoredUploadEntry[] }
  conversations: number
  /**
   * What storage itself finds wrong, as problem lines (fs: links under the uploads dir; with `verify`,
   * a database also checks its stored counts, dimensions and orphan rows against each other).
   */
  problems: string[]
}

export interface ScopeReports {
  /**
   * A summary of every scope, streamed (never one array of all scopes), in no set order.
   * Read-only: nothing is created, finished or recorded.
   */
  scopeSummaries(options?: ScopeSummaryOptions): AsyncIterable<ScopeSummary>
  /** The storage facts of one scope that inspect checks (read-only; zeros for a scope that does not exist). */
  scopeStorage(scope: Scope, options?: { verify?: boolean }): Promise<ScopeStorageReport>
}
