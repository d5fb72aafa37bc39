/**
 * Finishing what a crashed operation started. Every operation calls
 * `recoverPendingOperations` before it plans, so a SIGKILL between two renames
 * of a migrate, or between the trash move and the delete of a cleanup, is
 * completed by whichever command runs next.
 */
import path from 'node:path'
import { LockedError, toBentoError } from '../core/errors.js'
import { claimIntent, isOwnerGone, readIntents, releaseIntent, sweepJournalTemps } from '../core/journal.js'
import type { JournalIntent } from '../core/journal.js'
import { STALE_MS, withScopeLocks } from '../core/lock.js'
import * as fs from '../core/fs.js'
import { finishFsImport, IMPORT_OP } from '../core/backend/fs-scope-import.js'
import type { StorageBackend } from '../core/backend/types.js'
import { finishCleanup } from './cleanup-remove.js'
import { runMergeMigration } from './migrate-merge.js'
import { runRenameMigration } from './migrate-rename.js'
import { scopeOfIntent } from './scope-ref.js'
import { sweepTrash } from './trash.js'

export interface RecoveryReport {
  /** Intents completed now. */
  completed: Array<{ id: string; op: string }>
  /** Intents left for later: still running elsewhere, or failing (with why). */
  pending: Array<{ id: string; op: string; reason: string }>
}

/** How long to wait for a dead owner's lock to go stale (proper-lockfile's staleness plus a margin). */
const DEAD_OWNER_WAIT_MS = STALE_MS + 2000

const replay = async (backend: StorageBackend, intent: JournalIntent): Promise<void> => {
  const [first, second] = intent.scopes.map((ref) => scopeOfIntent(ref))
  if (intent.op === 'cleanup') return finishCleanup(backend, intent)
  if (intent.op === 'migrate-rename') return runRenameMigration(backend.layout, intent, first!, second!)
  if (intent.op === 'migrate-merge') return void (await runMergeMigration(backend, intent, first!, second!))
  if (intent.op === IMPORT_OP) return finishFsImport(backend.layout, intent, first!)
  throw new Error(`unknown operation "${intent.op}"`)
}

/**
 * Completes every intent whose operation is no longer running, under the locks
 * of the scopes it names. Never throws for one intent's failure: that intent is
 * reported as pending (and its scopes keep answering busy). Then sweeps what
 * killed operations leave behind: stray journal temp files and orphaned trash.
 *
 * @example
 * const { completed, pending } = await recoverPendingOperations(backend)
 */
export const recoverPendingOperations = async (backend: StorageBackend): Promise<RecoveryReport> => {
  const report: RecoveryReport = { completed: [], pending: [] }
  // A database backend journals nothing: its operations are transactions, all or nothing by themselves.
  if (backend.dataDir === undefined) return report
  const { layout } = backend
  const { intents, temps } = await readIntents(layout)
  for (const intent of intents) {
    const waitMs = isOwnerGone(intent) ? DEAD_OWNER_WAIT_MS : 0
    if (!claimIntent(intent)) continue // running in this process
    let claimed = true
    try {
      const scopes = intent.scopes.map((ref) => scopeOfIntent(ref))
      await withScopeLocks(layout, scopes, async () => {
        // Finished by its owner or another recoverer while we waited for the locks?
        if (!(await fs.exists(path.join(layout.journalDir, `${intent.id}.json`)))) return
        const fresh = (await readIntents(layout)).intents.find((candidate) => candidate.id === intent.id)
        if (!fresh) return
        for (const scope of scopes) await backend.evict(scope)
        await replay(backend, Object.assign(intent, fresh))
        claimed = false // endIntent released it
        report.completed.push({ id: intent.id, op: intent.op })
      }, { waitMs })
    } catch (error) {
      const reason = error instanceof LockedError ? 'still running' : toBentoError(error, `Recovering ${intent.op}`).message
      report.pending.push({ id: intent.id, op: intent.op, reason })
    } finally {
      if (claimed) releaseIntent(intent)
    }
  }
  await sweepJournalTemps(layout, temps)
  await sweepTrash(layout)
  return report
}
