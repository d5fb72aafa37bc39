import type { Command } from 'commander'
import type { ScopeKind } from '../../core/keys.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, collectList, parseKinds, parsePositiveInt, toCommonOptions, type CommonOptions } from '../options.js'
import { InvalidOptionsError } from '../../core/errors.js'

// The HTTP API's (src/api/schemas.ts), not imported: that would load zod for every `bento` run.
const MAX_PAGE_LIMIT = 1000

export interface LsOptions extends CommonOptions {
  kinds: ScopeKind[] | undefined
  /** A scope: list its documents instead of the scopes. */
  key: string | undefined
  /** With a key: one page of this many documents (default: every page). */
  limit: number | undefined
  cursor: string | undefined
}

const EXAMPLES = `
Examples:
  $ bento ls
  $ bento ls --kind custom
  $ bento ls --json | jq -r '.scopes[].key'
  $ bento ls user-123                             the scope's documents, oldest first
  $ bento ls user-123 --limit 50 --json           one page; pass its nextCursor to --cursor`

export const toLsOptions = (key: string | undefined, raw: Record<string, unknown>): LsOptions => {
  const options = {
    ...toCommonOptions(raw),
    kinds: parseKinds(raw.kind as string[] | undefined, '--kind'),
    key,
    limit: parsePositiveInt(raw.limit as string | undefined, '--limit'),
    cursor: typeof raw.cursor === 'string' ? raw.cursor : undefined,
  }
  if (key === undefined && (options.limit !== undefined || options.cursor !== undefined)) throw new InvalidOptionsError('--limit and --cursor page a scope\'s documents: name the scope (bento ls <key>).')
  if (key !== undefined && options.kinds !== undefined) throw new InvalidOptionsError('--kind selects scopes; it cannot be used with a scope key.')
  if (options.limit !== undefined && options.limit > MAX_PAGE_LIMIT) throw new InvalidOptionsError(`Invalid --limit ${options.limit}: at most ${MAX_PAGE_LIMIT}.`)
  return options
}

export const registerLs = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('ls')
    .description("list scopes with their kind, documents, size and last activity; or, given a key, that scope's documents")
    .argument('[key]', "a scope (key or directory name): list its documents")
    .option('--kind <kinds>', 'only these kinds: shared, session, custom (comma-separated or repeated)', collectList)
    .option('--limit <n>', `with a key: one page of at most n documents (1-${MAX_PAGE_LIMIT})`)
    .option('--cursor <cursor>', 'with a key: the page after this nextCursor')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (key: string | undefined, raw: Record<string, unknown>) => {
      const options = toLsOptions(key, raw)
      const { runLs } = await import('../actions/ls.js')
      return runLs(options, ctx)
    })
}
