import type { Command } from 'commander'
import { scopeFromArg, type Scope } from '../../core/keys.js'
import { loadMigrateOps } from '../ops.js'
import { withBackend } from '../backend.js'
import { assertCanConfirm, confirmChange } from '../confirm.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'
import { note, printResult } from '../output.js'
import { askKey, pickScope } from '../pick.js'
import { createProgress } from '../progress.js'
import { renderMigrate } from '../render/migrate.js'
import { resolveExistingScope } from '../scope-arg.js'

export interface MigrateOptions extends CommonOptions {
  /** Source scope as typed; prompted for on a terminal when absent. */
  from: string | undefined
  to: string | undefined
  copy: boolean
  dryRun: boolean
  yes: boolean
}

const EXAMPLES = `
Examples:
  $ bento migrate shared --to user-123             move the shared data to user-123
  $ bento migrate shared --to user-123 --dry-run   show what would be moved
  $ bento migrate user-1 --to tenant_a:user_1 --copy --yes
  $ bento migrate                                  choose the scopes interactively

A new target is renamed into place; an existing target is merged into (its
embedder must match). The source is removed unless --copy is given.`

export const toMigrateOptions = (from: string | undefined, raw: Record<string, unknown>): MigrateOptions => ({
  ...toCommonOptions(raw),
  from,
  to: typeof raw.to === 'string' ? raw.to : undefined,
  copy: raw.copy === true,
  dryRun: raw.dryRun === true,
  yes: raw.yes === true,
})

export const runMigrate = async (options: MigrateOptions, ctx: CliContext): Promise<void> => {
  if (!options.dryRun) assertCanConfirm(ctx, { yes: options.yes, command: 'migrate' })
  // Typos in the typed keys fail before the data dir is touched.
  const typedFrom = options.from === undefined ? undefined : scopeFromArg(options.from)
  const typedTo = options.to === undefined ? undefined : scopeFromArg(options.to)
  const { applyMigrate, planMigrate } = await loadMigrateOps()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const from = typedFrom ? await resolveExistingScope(backend, typedFrom) : await pickScope(ctx, backend, { message: 'Migrate which scope?', what: 'argument <from>' })
    const to: Scope = typedTo ?? (await askKey(ctx, {
      message: `Migrate ${from.key} to which key?`,
      what: 'option --to <key>',
      rejects: (scope) => (scope.dir === from.dir ? 'The target must differ from the source.' : undefined),
    }))
    const { effectiveQuota, quotaFromEnv } = await import('../../ops/quota.js')
    const plan = await planMigrate(backend, { from, to, copy: options.copy, dryRun: options.dryRun, targetQuota: await effectiveQuota(backend, to, quotaFromEnv(ctx.env)) })
    const preview = await applyMigrate(backend, plan, { dryRun: true })
    if (options.dryRun) return printResult(ctx, options.json, preview, renderMigrate)
    if (!options.yes) {
      note(ctx, renderMigrate(preview, ctx.terminal.paintErr).trimEnd())
      await confirmChange(ctx, { yes: options.yes, command: 'migrate', question: `${options.copy ? 'Copy' : 'Move'} ${from.key} to ${to.key}?` })
    }
    const progress = createProgress(ctx, 'Migrating', { json: options.json })
    try {
      const result = await applyMigrate(backend, plan, { onProgress: progress.onProgress })
      progress.stop()
      printResult(ctx, options.json, result, renderMigrate)
    } finally {
      progress.stop()
    }
  })
}

export const registerMigrate = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('migrate')
    .description("move (or copy) one scope's documents, vectors, uploads and conversations to another key")
    .argument('[from]', 'source scope: a key or its directory name (shared, session-<32 hex>, user-123)')
    .option('--to <key>', 'target key (created, or merged into if it exists)')
    .option('--copy', 'keep the source (copy instead of move)')
    .option('--dry-run', 'print what would be done and change nothing')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((from: string | undefined, raw: Record<string, unknown>) => runMigrate(toMigrateOptions(from, raw), ctx))
}
