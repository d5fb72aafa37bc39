import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { loadSearchOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, parsePositiveInt, toCommonOptions, type CommonOptions } from '../options.js'
import { printResult } from '../output.js'
import { renderSearch } from '../render/search.js'
import { resolveExistingScope } from '../scope-arg.js'

export interface SearchOptions extends CommonOptions {
  key: string
  query: string
  k: number
}

const MAX_K = 100

const EXAMPLES = `
Examples:
  $ bento search user-123 "refund policy"
  $ bento search shared "how do I rotate keys" -k 10 --json`

export const toSearchOptions = (key: string, query: string, raw: Record<string, unknown>): SearchOptions => {
  const k = parsePositiveInt(raw.topK as string | undefined, '-k') ?? 5
  if (k > MAX_K) throw new InvalidOptionsError(`Invalid -k ${k}: at most ${MAX_K}.`)
  if (query.trim() === '') throw new InvalidOptionsError('Invalid <query>: empty.')
  return { ...toCommonOptions(raw), key, query, k }
}

export const runSearch = async (options: SearchOptions, ctx: CliContext): Promise<void> => {
  const typed = scopeFromArg(options.key)
  const { searchScope } = await loadSearchOp()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const result = await searchScope(backend, await resolveExistingScope(backend, typed), options.query, { k: options.k })
    printResult(ctx, options.json, result, renderSearch)
  })
}

export const registerSearch = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('search')
    .description("semantic search in a scope's documents: top results with scores and sources")
    .argument('<key>', 'the scope: a key or its directory name')
    .argument('<query>', 'what to search for (quote it)')
    .option('-k, --top-k <n>', 'number of results (1-100)', '5')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((key: string, query: string, raw: Record<string, unknown>) => runSearch(toSearchOptions(key, query, raw), ctx))
}
