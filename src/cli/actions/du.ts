/** `bento du`: what the command does once its options are parsed (loaded only when it runs). */
import { loadDiskUsageOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { notePending, printResult } from '../output.js'
import { createProgress } from '../progress.js'
import { renderDiskUsage } from '../render/du.js'
import type { DuOptions } from '../commands/du.js'

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
