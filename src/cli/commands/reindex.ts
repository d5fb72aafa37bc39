import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'

export interface ReindexOptions extends CommonOptions {
  keys: string[]
  all: boolean
  force: boolean
}

const EXAMPLES = `
Examples:
  $ bento reindex user-123
  $ bento reindex --all --json
  $ bento reindex user-123 --force

Builds the lexical (word) index of stores written before it existed, or adopted
from LangChain, or whose index file is damaged or outdated (bento inspect reports
them), from their stored texts: no embedding, nothing re-read from uploads. Until
then such a scope searches by vector only. Stores whose index is current are left
alone, so running it twice changes nothing; --force rebuilds them too.`

export const toReindexOptions = (keys: string[], raw: Record<string, unknown>): ReindexOptions => {
  const all = raw.all === true
  if (all && keys.length > 0) throw new InvalidOptionsError('Give scope keys or --all, not both.')
  if (!all && keys.length === 0) throw new InvalidOptionsError('Name at least one scope, or use --all.')
  return { ...toCommonOptions(raw), keys, all, force: raw.force === true }
}

export const registerReindex = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('reindex')
    .description('build the lexical index of scopes without a current one: written before it existed, damaged or outdated (no re-embedding)')
    .argument('[keys...]', 'scopes: keys or directory names')
    .option('--all', 'every scope in the data dir')
    .option('--force', 'rebuild it even where it is current')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (keys: string[], raw: Record<string, unknown>) => {
      const options = toReindexOptions(keys, raw)
      const { runReindex } = await import('../actions/reindex.js')
      return runReindex(options, ctx)
    })
}
