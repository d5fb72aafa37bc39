/** `bento add`: what the command does once its options are parsed (loaded only when it runs). */
import { extractLimitsFromEnv } from '../../core/env.js'
import { scopeFromArg } from '../../core/keys.js'
import { loadAddOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { printResult } from '../output.js'
import { createProgress } from '../progress.js'
import { renderAdd } from '../render/add.js'
import type { AddOptions } from '../commands/add.js'

export const runAdd = async (options: AddOptions, ctx: CliContext): Promise<void> => {
  const scope = scopeFromArg(options.key)
  const metadata = options.metadata === undefined ? undefined : (await import('../../core/metadata.js')).parseMetadataJson(options.metadata, '--metadata')
  const { addFiles } = await loadAddOp()
  const { effectiveQuota, quotaFromEnv } = await import('../../ops/quota.js')
  const defaultQuota = quotaFromEnv(ctx.env)
  await withBackend({ dataDir: options.dataDir, ...(options.backend === undefined ? {} : { backend: options.backend }), create: true, env: ctx.env }, async (backend) => {
    const progress = createProgress(ctx, 'Adding', { json: options.json })
    try {
      const quota = await effectiveQuota(backend, scope, defaultQuota)
      const result = await addFiles(backend, scope, options.paths, { onProgress: progress.onProgress, onConflict: options.onConflict, metadata, limits: extractLimitsFromEnv(ctx.env), quota })
      progress.stop()
      printResult(ctx, options.json, result, renderAdd)
    } finally {
      progress.stop()
    }
  })
}
