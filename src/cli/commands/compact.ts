import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'

export interface CompactOptions extends CommonOptions {
  keys: string[]
  all: boolean
}

const EXAMPLES = `
Examples:
  $ bento compact user-123
  $ bento compact --all --json

A write appends to the store's commit log (bento-log.bin) instead of rewriting
the whole store; the log is folded into the base files in the background once it
has grown. Compact does it now, and also drops deleted chunks: run it before a
LangChain reader opens the directory (LangChain reads only the base files), or to
reclaim their space. Takes each scope's lock; running it twice changes nothing.`

export const toCompactOptions = (keys: string[], raw: Record<string, unknown>): CompactOptions => {
  const all = raw.all === true
  if (all && keys.length > 0) throw new InvalidOptionsError('Give scope keys or --all, not both.')
  if (!all && keys.length === 0) throw new InvalidOptionsError('Name at least one scope, or use --all.')
  return { ...toCommonOptions(raw), keys, all }
}

export const registerCompact = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('compact')
    .description('fold the commit log into the base files and drop deleted chunks')
    .argument('[keys...]', 'scopes: keys or directory names')
    .option('--all', 'every scope in the data dir')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (keys: string[], raw: Record<string, unknown>) => {
      const options = toCompactOptions(keys, raw)
      const { runCompact } = await import('../actions/compact.js')
      return runCompact(options, ctx)
    })
}
