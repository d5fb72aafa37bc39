import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { loadSearchOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, parseChoice, parsePositiveInt, toCommonOptions, type CommonOptions } from '../options.js'
import { note, printResult } from '../output.js'
import { renderSearch } from '../render/search.js'
import { resolveExistingScope } from '../scope-arg.js'

const MODES = ['hybrid', 'vector', 'lexical'] as const

export interface SearchOptions extends CommonOptions {
  key: string
  query: string
  k: number
  mode: (typeof MODES)[number]
  minScore: number | undefined
}

const MAX_K = 100

const parseMinScore = (value: unknown): number | undefined => {
  if (value === undefined) return undefined
  const score = Number(value)
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(score)) throw new InvalidOptionsError(`Invalid --min-score ${JSON.stringify(value)}: expected a number.`)
  return score
}

const EXAMPLES = `
Examples:
  $ bento search user-123 "refund policy"
  $ bento search shared "how do I rotate keys" -k 10 --json
  $ bento search user-123 "ERR_4411" --mode lexical
  $ bento search user-123 "refund policy" --min-score 0.5

Modes: hybrid (default) fuses word matches (BM25) with vector similarity;
vector and lexical use one of them. A query nothing matches gives no results.`

export const toSearchOptions = (key: string, query: string, raw: Record<string, unknown>): SearchOptions => {
  const k = parsePositiveInt(raw.topK as string | undefined, '-k') ?? 5
  if (k > MAX_K) throw new InvalidOptionsError(`Invalid -k ${k}: at most ${MAX_K}.`)
  if (query.trim() === '') throw new InvalidOptionsError('Invalid <query>: empty.')
  const mode = parseChoice(raw.mode as string | undefined, '--mode', MODES) ?? 'hybrid'
  return { ...toCommonOptions(raw), key, query, k, mode, minScore: parseMinScore(raw.minScore) }
}

export const runSearch = async (options: SearchOptions, ctx: CliContext): Promise<void> => {
  const typed = scopeFromArg(options.key)
  const { searchScope } = await loadSearchOp()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const result = await searchScope(backend, await resolveExistingScope(backend, typed), options.query, { k: options.k, mode: options.mode, minScore: options.minScore })
    if (!result.lexicalIndex && !options.json) {
      note(ctx, `This scope has no lexical index yet (written before it existed): vector search only. Build it with \`bento reindex ${options.key}\`.`)
    }
    printResult(ctx, options.json, result, renderSearch)
  })
}

export const registerSearch = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('search')
    .description("search a scope's documents (hybrid: word matches and vector similarity): top results with scores and sources")
    .argument('<key>', 'the scope: a key or its directory name')
    .argument('<query>', 'what to search for (quote it)')
    .option('-k, --top-k <n>', 'number of results (1-100)', '5')
    .option('--mode <mode>', 'hybrid, vector or lexical', 'hybrid')
    .option('--min-score <n>', "drop results scored below n (the mode's score, see docs/CLI.md)")
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((key: string, query: string, raw: Record<string, unknown>) => runSearch(toSearchOptions(key, query, raw), ctx))
}
