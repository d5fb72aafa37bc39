import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'
import { printResult } from '../output.js'
import { createProgress } from '../progress.js'
import { renderCompact } from '../render/compact.js'
import { resolveExistingScope } from '../scope-arg.js'

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

export const runCompact = async (options: CompactOptions, ctx: CliContext): Promise<void> => {
  const typed = options.keys.map(scopeFromArg)
  const { compactScopes } = await import('../../ops/compact.js')
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scopes = options.all ? 'all' : await Promise.all(typed.map((scope) => resolveExistingScope(backend, scope)))
    const progress = createProgress(ctx, 'Compacting', { json: options.json })
    try {
      const result = await compactScopes(backend, scopes, { onProgress: progress.onProgress })
      progress.stop()
      printResult(ctx, options.json, result, renderCompact)
    } finally {
      progress.stop()
    }
  })
}

export const registerCompact = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('compact')
    .description('fold the commit log into the base files and drop deleted chunks')
    .argument('[keys...]', 'scopes: keys or directory names')
    .option('--all', 'every scope in the data dir')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((keys: string[], raw: Record<string, unknown>) => runCompact(toCompactOptions(keys, raw), ctx))
}
