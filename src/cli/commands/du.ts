import type { Command } from 'commander'
import type { ScopeKind } from '../../core/keys.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, collectList, parseChoice, parseKinds, parsePositiveInt, toCommonOptions, type CommonOptions } from '../options.js'

export const DU_SORTS = ['size', 'name', 'age'] as const

export interface DuOptions extends CommonOptions {
  top: number | undefined
  sort: (typeof DU_SORTS)[number]
  kinds: ScopeKind[] | undefined
  groupByTenant: boolean
}

const EXAMPLES = `
Examples:
  $ bento du                       every scope, largest first, with totals
  $ bento du --top 10              the ten largest
  $ bento du --kind session --sort age
  $ bento du --group-by tenant     sum compound keys (tenant_a:user_1) per tenant
  $ bento du --json | jq '.totalBytes'`

export const toDuOptions = (raw: Record<string, unknown>): DuOptions => ({
  ...toCommonOptions(raw),
  top: parsePositiveInt(raw.top as string | undefined, '--top'),
  sort: parseChoice(raw.sort as string | undefined, '--sort', DU_SORTS) ?? 'size',
  kinds: parseKinds(raw.kind as string[] | undefined, '--kind'),
  groupByTenant: parseChoice(raw.groupBy as string | undefined, '--group-by', ['tenant'] as const) === 'tenant',
})

export const registerDu = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('du')
    .description('disk usage per scope: vectors, uploads, total and files, largest first')
    .option('--top <n>', 'show only the n largest (by the sort order)')
    .option('--sort <order>', 'size, name or age (oldest activity first)', 'size')
    .option('--kind <kinds>', 'only these kinds: shared, session, custom (comma-separated or repeated)', collectList)
    .option('--group-by <what>', 'sum per tenant (the part of a key before the first ":")')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (raw: Record<string, unknown>) => {
      const options = toDuOptions(raw)
      const { runDu } = await import('../actions/du.js')
      return runDu(options, ctx)
    })
}
