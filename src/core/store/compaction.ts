/**
 * When the commit log should be folded into the base files. Two costs grow with
 * the log: a search scans its points exactly (beside the HNSW search of the base),
 * and an open replays it (tokenizing its texts for the lexical index). Folding
 * costs a rewrite of the whole store, so it waits until the log is a fair share of
 * the store (then its cost per appended point stays constant), but never past a
 * fixed size (then scans and replays stay bounded whatever the store's size).
 */

/** A log of fewer changes is never worth a rewrite. */
export const COMPACT_MIN_CHANGES = 256
/** The log's share of the base that makes folding worth it. */
export const COMPACT_RATIO = 0.25
/** Past this many changes the log is folded whatever the base's size (a scan of 4,096 × 384 floats is ~1 ms). */
export const COMPACT_MAX_CHANGES = 4096
/** Past this many bytes too (large texts). */
export const COMPACT_MAX_BYTES = 64 * 1024 * 1024

export interface LogFigures {
  added: number
  deleted: number
  bytes: number
}

/** True when the log should be folded into the base: `basePoints` is the base index's point count. */
export const compactionDue = (log: LogFigures, basePoints: number): boolean => {
  const changes = log.added + log.deleted
  if (changes === 0) return false
  if (changes >= COMPACT_MAX_CHANGES || log.bytes >= COMPACT_MAX_BYTES) return true
  return changes >= Math.max(COMPACT_MIN_CHANGES, COMPACT_RATIO * basePoints)
}
