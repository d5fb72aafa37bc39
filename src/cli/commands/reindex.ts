import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'
import { printResult } from '../output.js'
import { createProgress } from '../progress.js'
import { renderReindex } from '../render/reindex.js'
import { resolveExistingScope } from '../scope-arg.js'

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

export const runReindex = async (options: ReindexOptions, ctx: CliContext): Promise<void> => {
  const typed = options.keys.map(scopeFromArg)
  const { reindexScopes } = await import('../../ops/reindex.js')
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scopes = options.all ? 'all' : await Promise.all(typed.map((scope) => resolveExistingScope(backend, scope)))
    const progress = createProgress(ctx, 'Reindexing', { json: options.json })
    try {
      const result = await reindexScopes(backend, scopes, { onProgress: progress.onProgress, force: options.force })
      progress.stop()
      printResult(ctx, options.json, result, renderReindex)
    } finally {
      progress.stop()
    }
  })
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
    .action((keys: string[], raw: Record<string, unknown>) => runReindex(toReindexOptions(keys, raw), ctx))
}
