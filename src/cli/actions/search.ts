/** `bento search`: what the command does once its options are parsed (loaded only when it runs). */
import { InvalidOptionsError } from '../../core/errors.js'
import { scopeFromArg } from '../../core/keys.js'
import { loadSearchOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { note, printResult } from '../output.js'
import { renderSearch } from '../render/search.js'
import { resolveExistingScope } from '../scope-arg.js'
import { parseFilters, type CliFilter, type SearchOptions } from '../commands/search.js'

/** Validated by the same schema as the HTTP API's `filter` (loaded when used: it pulls in zod). */
const parseFilterSchema = async (raw: CliFilter) => {
  const { searchFilterSchema } = await import('../../core/search-filter.js')
  const parsed = searchFilterSchema.safeParse(raw)
  if (!parsed.success) throw new InvalidOptionsError(`Invalid --filter: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}.`)
  return parsed.data
}

export const runSearch = async (options: SearchOptions, ctx: CliContext): Promise<void> => {
  const typed = scopeFromArg(options.key)
  const { searchScope } = await loadSearchOp()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const raw = parseFilters(options.filters)
    const filter = raw === undefined ? undefined : await parseFilterSchema(raw)
    const result = await searchScope(backend, await resolveExistingScope(backend, typed), options.query, { k: options.k, mode: options.mode, minScore: options.minScore, ...(filter ? { filter } : {}) })
    if (!result.lexicalIndex && !options.json) {
      note(ctx, `This scope has no lexical index yet (written before it existed): vector search only. Build it with \`bento reindex ${options.key}\`.`)
    }
    printResult(ctx, options.json, result, renderSearch)
  })
}
