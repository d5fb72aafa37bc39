/**
 * The operations, each loaded when its command runs rather than at startup:
 * `add` pulls in pdfjs and mammoth (over a second of module loading on a busy
 * machine), the store pulls in hnswlib-node, and neither `--help`, a usage
 * error nor `bento du` should pay for what it does not use. One loader per
 * module of `src/ops/` (whose index re-exports them all).
 */
export const loadAddOp = () => import('../ops/add.js')
export const loadCleanupOps = () => import('../ops/cleanup.js')
export const loadDiskUsageOp = () => import('../ops/du.js')
export const loadExportOps = () => import('../ops/export.js')
export const loadImportOps = () => import('../ops/import.js')
export const loadInspectOp = () => import('../ops/inspect.js')
export const loadLsOp = () => import('../ops/ls.js')
export const loadMigrateOps = () => import('../ops/migrate.js')
export const loadSearchOp = () => import('../ops/search.js')
