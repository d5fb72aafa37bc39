/**
 * The operations shared by the CLI and the server's admin routes: plan, then
 * apply, returning the JSON-ready results of `./types.ts`.
 */
export { addFiles, type AddOptions } from './add.js'
export {
  applyCleanup,
  cleanupExpiredSessions,
  describeCleanup,
  planCleanup,
  type ApplyCleanupOptions,
  type CleanupExpiredOptions,
  type CleanupOptions,
  type CleanupPlan,
  type CleanupTarget,
} from './cleanup.js'
export { deleteAllDocuments, deleteDocument, type DeleteAllDocumentsResult, type DeleteDocumentResult } from './documents.js'
export { diskUsage, type DiskUsageOptions, type DiskUsageSort } from './du.js'
export { DEFAULT_SESSION_TTL_MS } from '../core/sessions.js'
export { archiveNameOf, exportAllScopes, exportScopeArchive, type ExportAllOptions, type ExportOptions, type ExportTarget } from './export.js'
export { applyImport, planImport, type ImportOptions, type ImportPlan } from './import.js'
export { inspectScope, type InspectOptions } from './inspect.js'
export { countDocuments, listScopeSummaries, type LsOptions } from './ls.js'
export { deriveClashId } from '../core/backend/scope-merge.js'
export { applyMigrate, planMigrate, type ApplyMigrateOptions, type MigrateOptions, type MigrateOutcome, type MigratePlan } from './migrate.js'
export { recoverPendingOperations, type RecoveryReport } from './recover.js'
export { MAX_K, searchScope, type SearchOptions } from './search.js'
export type * from './types.js'
export { reindexScopes, type ReindexOptions, type ReindexOutcome, type ReindexResult, type ReindexRow } from './reindex.js'
export { adoptScope, type AdoptOptions, type AdoptResult } from './adopt.js'
export { compactScopes, type CompactOptions, type CompactResult, type CompactRow } from './compact.js'
