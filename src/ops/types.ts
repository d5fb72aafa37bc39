/**
 * Results of the operations shared by the CLI (`--json` prints them as is, the
 * human renderer tables them) and the server's admin routes (served as JSON).
 * Dates are ISO strings so a result is the same object in every form.
 */
import type { ErrorCode } from '../core/errors.js'
import type { ScopeKind } from '../core/keys.js'

export interface Progress {
  done: number
  total?: number
  label?: string
}
export type OnProgress = (progress: Progress) => void

export interface ScopeRef {
  key: string
  dir: string
  kind: ScopeKind
}

/** The quota in force for a scope (its own, else the default), when it has one: null is unlimited. */
export interface QuotaLimits {
  maxBytes: number | null
  maxDocuments: number | null
}
export interface DiskUsageRow extends ScopeRef {
  vectorBytes: number
  uploadBytes: number
  totalBytes: number
  files: number
  lastActiveAt: string | null
  /** Present when a quota is in force: `totalBytes` is what `maxBytes` limits. */
  quota?: QuotaLimits
}
export interface DiskUsageGroup {
  tenant: string
  scopes: number
  vectorBytes: number
  uploadBytes: number
  totalBytes: number
  files: number
}
/** An unfinished operation, as read-only commands and dry runs report it (they never finish it). */
export interface PendingNote {
  id: string
  op: string
  /** Keys of the scopes it changes. */
  scopes: string[]
  running: boolean
  /** "an interrupted migrate of X to Y is pending; the next write command finishes it" */
  message: string
}

export interface DiskUsageResult {
  scopes: DiskUsageRow[]
  groups?: DiskUsageGroup[]
  totalBytes: number
  vectorBytes: number
  uploadBytes: number
  files: number
  scopeCount: number
  /** Unfinished operations, reported and left for the next write command (absent when there are none). */
  pending?: PendingNote[]
}

export interface CleanupRemoved extends ScopeRef {
  bytes: number
  lastActiveAt: string | null
}
export interface CleanupSkipped {
  key: string
  dir: string
  reason: string
  /** The error code when the scope was refused rather than passed over (`unsafe_path`: a planted link). */
  code?: string
}
export interface CleanupResult {
  dryRun: boolean
  removed: CleanupRemoved[]
  skipped: CleanupSkipped[]
  freedBytes: number
  /**
   * Activity is recorded at most once per this window, so it is added to the age asked for:
   * a scope counts as idle only when its recorded activity is older than both together.
   * Absent when no plan was made (a failed session sweep).
   */
  activityWindowMs?: number
  /** ISO time: scopes whose recorded last activity is at or after it were kept. */
  cutoff?: string
  /** A dry run's report of unfinished operations (a real run finishes them first). */
  pending?: PendingNote[]
}

export interface MigrateResult {
  from: string
  to: string
  mode: 'rename' | 'merge'
  copy: boolean
  dryRun: boolean
  documents: number
  vectors: number
  uploads: number
  conversations: number
  bytes: number
  /** A dry run's report of unfinished operations elsewhere (a real run finishes them first). */
  pending?: PendingNote[]
}

export interface InspectDocument {
  id: string
  title: string
  chunks: number
  bytes: number
}
export interface InspectResult extends ScopeRef {
  exists: boolean
  paths: { vectors: string; uploads: string }
  vectors: {
    count: number; deleted: number; dimension: number | null; space: string | null; embedder: string | null; capacity: number | null
    /** Present (true) when the store holds vectors but records no embedder (another tool wrote it): search and add refuse it until `adopt` declares one. */
    embedderUnknown?: true
    /** With `embedderUnknown`: the command that declares it. */
    fix?: string
  }
  documents: InspectDocument[]
  uploads: { files: number; bytes: number }
  conversations: number
  memories: number
  createdAt: string | null
  lastActiveAt: string | null
  expiresAt: string | null
  healthy: boolean
  problems: string[]
  /** Unfinished operations, reported and left for the next write command (absent when there are none). */
  pending?: PendingNote[]
  /** Present when a quota is in force: the limits and the usage they are measured against. */
  quota?: QuotaLimits & { bytes: number; documents: number }
}

export interface LsRow extends ScopeRef {
  documents: number
  totalBytes: number
  lastActiveAt: string | null
}
export interface LsResult {
  scopes: LsRow[]
  /** Unfinished operations, reported and left for the next write command (absent when there are none). */
  pending?: PendingNote[]
}

export interface AddResult {
  key: string
  /** `replaced`: the ids of the documents of that name it replaced (its own id when the same file came again). */
  documents: Array<{ id: string; title: string; chunks: number; source: string; outcome: 'added' | 'replaced'; replaced: string[] }>
  /** Files that were not added (found in a directory: symlinks, unsupported types, failures; any: a conflict under `reject`), with why. */
  skipped?: Array<{ source: string; reason: string }>
}

export interface SearchResultRow {
  id: string
  title: string
  content: string
  score: number
  metadata: Record<string, unknown>
  /** The key of the scope the passage comes from, when the request may read several (readScopes). */
  scope?: string
}
export interface SearchResult {
  query: string
  /** The mode that answered: `vector` when the scope's store has no lexical index yet. */
  mode: 'hybrid' | 'vector' | 'lexical'
  /** False for a store written before the lexical index existed (`bento reindex` builds it). */
  lexicalIndex: boolean
  /** True when nothing in the scope matched the query (no shared word, nothing above the similarity floor). */
  noMatch: boolean
  results: SearchResultRow[]
}

/** One file of an upload: stored (added, or replacing documents of its name), or skipped with why. */
export type UploadOutcome =
  | {
    file: string
    outcome: 'added' | 'replaced'
    documentId: string
    title: string
    chunks: number
    fileType: string
    /** Bytes of the original file. */
    bytes: number
    /** Ids of the documents it replaced (its own id when the same file came again). */
    replaced: string[]
  }
  | { file: string; outcome: 'skipped'; documentId?: string; reason: string; error: { code: string; message: string } }

export interface ExportRow extends ScopeRef, ArchiveContents {
  /** The archive's path, or `-` for stdout. */
  file: string
  /** Bytes of the tar. */
  bytes: number
  /** sha256 of the archive's manifest (which holds every entry's sha256): the archive's fingerprint. */
  manifestSha256: string
  createdAt: string
  /** Bytes of the entries' contents. */
  dataBytes: number
}
/** What a scope archive holds, as its manifest counts it. */
export interface ArchiveContents {
  embedder: string | null
  dimension: number | null
  documents: number
  chunks: number
  memories: number
  uploads: number
  conversations: number
}

export interface ExportFailure extends ScopeRef {
  code: ErrorCode
  message: string
}
export interface ExportResult {
  archives: ExportRow[]
  failed: ExportFailure[]
}

export interface ImportResult extends ScopeRef, ArchiveContents {
  file: string
  dryRun: boolean
  /** The key the archive was exported from (differs from `key` with `--as`). */
  sourceKey: string
  archiveCreatedAt: string
  manifestSha256: string
  bytes: number
}
