import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'

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
    .action(async (from: string | undefined, raw: Record<string, unknown>) => {
      const options = toMigrateOptions(from, raw)
      const { runMigrate } = await import('../actions/migrate.js')
      return runMigrate(options, ctx)
    })
}
