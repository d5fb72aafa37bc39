import type { Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, collectRepeated, parseChoice, parsePositiveInt, toCommonOptions, type CommonOptions } from '../options.js'

const MODES = ['hybrid', 'vector', 'lexical'] as const

export interface SearchOptions extends CommonOptions {
  key: string
  query: string
  k: number
  mode: (typeof MODES)[number]
  minScore: number | undefined
  /** `--filter key=value` pairs, as given. */
  filters: string[]
}

type FilterValue = string | number | boolean | null
export type CliFilter = { source?: { in: string[] }; fileType?: { in: string[] }; metadata?: Record<string, { in: FilterValue[] }> }

/** `--filter team=billing --filter year=2024`: source and fileType are Bento's keys, any other is a metadata key; a repeated key is `in`. */
export const parseFilters = (pairs: string[]): CliFilter | undefined => {
  if (pairs.length === 0) return undefined
  const filter: CliFilter = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new InvalidOptionsError(`Invalid --filter ${JSON.stringify(pair)}: expected key=value.`)
    const key = pair.slice(0, at)
    const value = pair.slice(at + 1)
    if (key === 'source' || key === 'fileType') {
      ;(filter[key] ??= { in: [] }).in.push(value)
      continue
    }
    // A metadata value given on the command line may have been stored as a number or a boolean.
    const typed: FilterValue[] = [value]
    if (/^-?\d+(\.\d+)?$/.test(value)) typed.push(Number(value))
    if (value === 'true' || value === 'false') typed.push(value === 'true')
    if (value === 'null') typed.push(null)
    ;((filter.metadata ??= {})[key] ??= { in: [] }).in.push(...typed)
  }
  return filter
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
  $ bento search user-123 "refunds" --filter team=billing --filter fileType=pdf

Modes: hybrid (default) fuses word matches (BM25) with vector similarity;
vector and lexical use one of them. A query nothing matches gives no results.`

export const toSearchOptions = (key: string, query: string, raw: Record<string, unknown>): SearchOptions => {
  const k = parsePositiveInt(raw.topK as string | undefined, '-k') ?? 5
  if (k > MAX_K) throw new InvalidOptionsError(`Invalid -k ${k}: at most ${MAX_K}.`)
  if (query.trim() === '') throw new InvalidOptionsError('Invalid <query>: empty.')
  const mode = parseChoice(raw.mode as string | undefined, '--mode', MODES) ?? 'hybrid'
  const filters = (raw.filter as string[] | undefined) ?? []
  parseFilters(filters)
  return { ...toCommonOptions(raw), key, query, k, mode, minScore: parseMinScore(raw.minScore), filters }
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
    .option('--filter <key=value>', 'only passages whose source, fileType or metadata key has this value (repeatable; a repeated key means any of)', collectRepeated)
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (key: string, query: string, raw: Record<string, unknown>) => {
      const options = toSearchOptions(key, query, raw)
      const { runSearch } = await import('../actions/search.js')
      return runSearch(options, ctx)
    })
}
