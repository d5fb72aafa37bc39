import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg, type Scope, type ScopeKind } from '../../core/keys.js'
import type { CliContext } from '../context.js'
import { parseDuration } from '../../core/duration.js'
import { addCommonOptions, collectList, collectRepeated, parseKinds, toCommonOptions, type CommonOptions } from '../options.js'

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
    .action(async (raw: Record<string, unknown>) => {
      const options = toCleanupOptions(raw)
      const { runCleanup } = await import('../actions/cleanup.js')
      return runCleanup(options, ctx)
    })
}
