/** `bento cleanup`: what the command does once its options are parsed (loaded only when it runs). */
import { loadCleanupOps } from '../ops.js'
import { withBackend } from '../backend.js'
import { assertCanConfirm, confirmChange } from '../confirm.js'
import type { CliContext } from '../context.js'
import { formatDuration, parseDuration } from '../../core/duration.js'
import { EXIT_REFUSED } from '../exit-codes.js'
import { note, notePending, printResult } from '../output.js'
import { askDuration } from '../pick.js'
import { withProgress } from '../progress.js'
import { renderCleanup } from '../render/cleanup.js'
import type { CleanupResult } from '../../ops/types.js'
import { resolveExistingScope } from '../scope-arg.js'
import { formatBytes, plural } from '../render/format.js'
import type { CleanupOptions } from '../commands/cleanup.js'

/** Why a short --older-than keeps scopes used a moment ago: their activity record may lag by the window. */
export const explainActivityWindow = (olderThanMs: number, windowMs: number): string =>
  `bento: note: activity is recorded at most once per ${formatDuration(windowMs)}, so a scope counts as idle only after ` +
  `--older-than ${formatDuration(olderThanMs)} plus ${formatDuration(windowMs)} without recorded activity; scopes used since then are kept.`

/** A partial run is not a success (clig.dev): the rest was removed, the refused scopes are listed, exit 3. */
const reportRefused = (ctx: CliContext, result: CleanupResult): void => {
  const refused = result.skipped.filter((row) => row.code === 'unsafe_path')
  if (refused.length === 0) return
  note(ctx, `bento: ${plural(refused.length, 'scope')} left alone: a link was planted in ${refused.length === 1 ? 'it' : 'them'} (see skipped); the rest was cleaned up.`)
  ctx.exitCode = EXIT_REFUSED
}

export const runCleanup = async (options: CleanupOptions, ctx: CliContext): Promise<void> => {
  if (!options.dryRun) assertCanConfirm(ctx, { yes: options.yes, command: 'cleanup' })
  const olderThan = options.olderThan ?? (await askDuration(ctx, { message: 'Remove scopes inactive for longer than:', what: 'option --older-than <duration>', default: '24h' }))
  const olderThanMs = parseDuration(olderThan, '--older-than')
  const { applyCleanup, planCleanup } = await loadCleanupOps()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scopes = await Promise.all(options.scopes.map((scope) => resolveExistingScope(backend, scope)))
    const plan = await planCleanup(backend, { olderThanMs, kinds: options.kinds, dryRun: options.dryRun, ...(scopes.length > 0 ? { scopes } : {}) })
    notePending(ctx, plan.pending)
    if (olderThanMs < plan.activityWindowMs) note(ctx, explainActivityWindow(olderThanMs, plan.activityWindowMs))
    const preview = await applyCleanup(backend, plan, { dryRun: true })
    if (options.dryRun) return printResult(ctx, options.json, preview, renderCleanup)
    // A real run with nothing to remove is still a real run: it reports dryRun false, as the admin route does.
    if (preview.removed.length === 0) {
      printResult(ctx, options.json, { ...preview, dryRun: false }, renderCleanup)
      return reportRefused(ctx, preview)
    }
    if (!options.yes) {
      note(ctx, renderCleanup(preview, ctx.terminal.paintErr).trimEnd())
      const count = plural(preview.removed.length, 'scope')
      await confirmChange(ctx, { yes: options.yes, command: 'cleanup', question: `Remove ${count} (${formatBytes(preview.freedBytes)})?` })
    }
    const result = await withProgress(ctx, 'Removing', { json: options.json }, (onProgress) => applyCleanup(backend, plan, { onProgress }))
    printResult(ctx, options.json, result, renderCleanup)
    reportRefused(ctx, result)
  })
}
