import type { Command } from 'commander'
import type { ScopeKind } from '../../core/keys.js'
import { loadDiskUsageOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { addCommonOptions, collectList, parseChoice, parseKinds, parsePositiveInt, toCommonOptions, type CommonOptions } from '../options.js'
import { notePending, printResult } from '../output.js'
import { createProgress } from '../progress.js'
import { renderDiskUsage } from '../render/du.js'

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

export const runDu = async (options: DuOptions, ctx: CliContext): Promise<void> => {
  const { diskUsage } = await loadDiskUsageOp()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const quotaDefaults = (await import('../../ops/quota.js')).quotaFromEnv(ctx.env)
    const progress = createProgress(ctx, 'Scanning', { json: options.json })
    try {
      const result = await diskUsage(backend, {
        sort: options.sort,
        ...(options.top === undefined ? {} : { top: options.top }),
        ...(options.kinds ? { kinds: options.kinds } : {}),
        ...(options.groupByTenant ? { groupBy: 'tenant' as const } : {}),
        onProgress: progress.onProgress,
        ...(quotaDefaults ? { quotaDefaults } : {}),
      })
      progress.stop()
      printResult(ctx, options.json, result, renderDiskUsage)
      notePending(ctx, result.pending)
    } finally {
      progress.stop()
    }
  })
}

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
    .action((raw: Record<string, unknown>) => runDu(toDuOptions(raw), ctx))
}
