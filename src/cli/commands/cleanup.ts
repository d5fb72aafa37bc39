import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg, type Scope, type ScopeKind } from '../../core/keys.js'
import { loadCleanupOps } from '../ops.js'
import { withBackend } from '../backend.js'
import { assertCanConfirm, confirmChange } from '../confirm.js'
import type { CliContext } from '../context.js'
import { formatDuration, parseDuration } from '../../core/duration.js'
import { addCommonOptions, collectList, collectRepeated, parseKinds, toCommonOptions, type CommonOptions } from '../options.js'
import { EXIT_REFUSED } from '../exit-codes.js'
import { note, notePending, printResult } from '../output.js'
import { askDuration } from '../pick.js'
import { createProgress } from '../progress.js'
import { renderCleanup } from '../render/cleanup.js'
import type { CleanupResult } from '../../ops/types.js'
import { resolveExistingScope } from '../scope-arg.js'
import { formatBytes, plural } from '../render/format.js'

export interface CleanupOptions extends CommonOptions {
  /** As typed; prompted for on a terminal when absent. */
  olderThan: string | undefined
  kinds: ScopeKind[]
  scopes: Scope[]
  dryRun: boolean
  yes: boolean
}

const EXAMPLES = `
Examples:
  $ bento cleanup --older-than 24h                 remove sessions inactive for 24 hours
  $ bento cleanup --older-than 7d --dry-run        list what would be removed
  $ bento cleanup --older-than 30d --include-users --yes
  $ bento cleanup --older-than 1h30m --scope session-<32 hex> --scope user-9
  $ bento cleanup --older-than 0s --scope shared --yes   (shared only when named)

Durations: 90s, 30m, 24h, 7d, 2w, or compounds in descending units (1h30m).
By default only session scopes are candidates. Scopes in use or locked by a
running server are skipped, with the reason. A server records a scope's activity
at most once a minute, so that minute is added to --older-than: a scope used
within it is never removed.`

export const toCleanupOptions = (raw: Record<string, unknown>): CleanupOptions => {
  const common = toCommonOptions(raw)
  const olderThan = typeof raw.olderThan === 'string' ? raw.olderThan : undefined
  if (olderThan !== undefined) parseDuration(olderThan, '--older-than')
  const kindList = raw.kind as string[] | undefined
  if (raw.includeUsers === true && kindList !== undefined) {
    throw new InvalidOptionsError('Use either --include-users or --kind, not both.')
  }
  // `shared` is never swept by kind: it holds everyone's data in isolation "none".
  const kinds = parseKinds(kindList, '--kind', ['session', 'custom']) ?? (raw.includeUsers === true ? ['session', 'custom'] : ['session'])
  const scopes = ((raw.scope as string[] | undefined) ?? []).map((key) => scopeFromArg(key))
  if (scopes.length > 0 && (kindList !== undefined || raw.includeUsers === true)) {
    throw new InvalidOptionsError('--scope names the scopes exactly (any kind); do not combine it with --kind or --include-users.')
  }
  return { ...common, olderThan, kinds, scopes, dryRun: raw.dryRun === true, yes: raw.yes === true }
}

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
    const progress = createProgress(ctx, 'Removing', { json: options.json })
    try {
      const result = await applyCleanup(backend, plan, { onProgress: progress.onProgress })
      progress.stop()
      printResult(ctx, options.json, result, renderCleanup)
      reportRefused(ctx, result)
    } finally {
      progress.stop()
    }
  })
}

export const registerCleanup = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('cleanup')
    .description('remove scopes inactive for longer than a duration (sessions by default)')
    .option('--older-than <duration>', 'inactivity threshold: 90s, 30m, 24h, 7d, 1h30m')
    .option('--include-users', 'also remove custom (user) scopes, not only sessions')
    .option('--kind <kinds>', 'scope kinds to consider: session, custom (comma-separated or repeated)', collectList)
    .option('--scope <key>', 'only consider this scope (repeatable; the only way to include shared)', collectRepeated)
    .option('--dry-run', 'print what would be removed and change nothing')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((raw: Record<string, unknown>) => runCleanup(toCleanupOptions(raw), ctx))
}
