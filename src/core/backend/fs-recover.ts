/**
 * Finishing what a crashed fs operation started. Every operation calls
 * `recoverPendingOperations` (`finishPendingOperations` here) before it plans, so a SIGKILL between two renames
 * of a migrate, or between the trash move and the delete of a cleanup, is
 * completed by whichever command runs next.
 */
import path from 'node:path'
import { LockedError, toBentoError } from '../errors.js'
import { claimIntent, isOwnerGone, readIntents, releaseIntent, scopeOfIntent, sweepJournalTemps } from '../journal.js'
import type { JournalIntent } from '../journal.js'
import { STALE_MS, withScopeLocks } from '../lock.js'
import * as fs from '../fs.js'
import { finishFsImport, IMPORT_OP } from './fs-scope-import.js'
import type { RecoveryReport } from './contract/scope-moves.js'
import type { FsMoveDeps } from './fs-scope-moves.js'
import { finishCleanup } from './fs-remove.js'
import { runMergeMigration } from './fs-migrate-merge.js'
import { runRenameMigration } from './fs-migrate-rename.js'
import { sweepTrash } from './fs-trash.js'

/** How long to wait for a dead owner's lock to go stale (proper-lockfile's staleness plus a margin). */
const DEAD_OWNER_WAIT_MS = STALE_MS + 2000

const replay = async (deps: FsMoveDeps, intent: JournalIntent): Promise<void> => {
  const [first, second] = intent.scopes.map((ref) => scopeOfIntent(ref))
  if (intent.op === 'cleanup') return finishCleanup(deps.layout, intent)
  if (intent.op === 'migrate-rename') return runRenameMigration(deps.layout, intent, first!, second!)
  if (intent.op === 'migrate-merge') return void (await runMergeMigration(deps, intent, first!, second!))
  if (intent.op === IMPORT_OP) return finishFsImport(deps.layout, intent, first!)
  throw new Error(`unknown operation "${intent.op}"`)
}

/**
 * Completes every intent whose operation is no longer running, under the locks
 * of the scopes it names. Never throws for one intent's failure: that intent is
 * reported as pending (and its scopes keep answering busy). Then sweeps what
 * killed operations leave behind: stray journal temp files and orphaned trash.
 *
 * @example
 * const { completed, pending } = await recoverFsOperations(deps)
 */
export const recoverFsOperations = async (deps: FsMoveDeps): Promise<RecoveryReport> => {
  const report: RecoveryReport = { completed: [], pending: [] }
  const { layout } = deps
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
        for (const scope of scopes) await deps.evict(scope)
        await replay(deps, Object.assign(intent, fresh))
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
