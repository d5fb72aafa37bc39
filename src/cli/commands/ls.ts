import type { Command } from 'commander'
import type { ScopeKind } from '../../core/keys.js'
import { loadLsOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, collectList, parseKinds, toCommonOptions, type CommonOptions } from '../options.js'
import { printResult } from '../output.js'
import { renderScopeList } from '../render/ls.js'

export interface LsOptions extends CommonOptions {
  kinds: ScopeKind[] | undefined
}

const EXAMPLES = `
Examples:
  $ bento ls
  $ bento ls --kind custom
  $ bento ls --json | jq -r '.scopes[].key'`

export const toLsOptions = (raw: Record<string, unknown>): LsOptions => ({
  ...toCommonOptions(raw),
  kinds: parseKinds(raw.kind as string[] | undefined, '--kind'),
})

export const runLs = async (options: LsOptions, ctx: CliContext): Promise<void> => {
  const { listScopeSummaries } = await loadLsOp()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const result = await listScopeSummaries(backend, options.kinds ? { kinds: options.kinds } : {})
    printResult(ctx, options.json, result, renderScopeList)
  })
}

export const registerLs = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('ls')
    .description('list scopes with their kind, documents, size and last activity')
    .option('--kind <kinds>', 'only these kinds: shared, session, custom (comma-separated or repeated)', collectList)
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((raw: Record<string, unknown>) => runLs(toLsOptions(raw), ctx))
}
