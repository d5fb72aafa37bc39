/** `bento quota`: what the command does once its options are parsed (loaded only when it runs). */
import { scopeFromArg } from '../../core/keys.js'
import type { ScopeQuota } from '../../core/backend/types.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { printResult } from '../output.js'
import { renderQuota } from '../render/quota.js'
import type { QuotaOptions } from '../commands/quota.js'

export const runQuota = async (options: QuotaOptions, ctx: CliContext): Promise<void> => {
  const scope = scopeFromArg(options.key)
  const { quotaFromEnv, quotaReport } = await import('../../ops/quota.js')
  const defaults = quotaFromEnv(ctx.env)
  const setting = options.clear || options.maxBytes !== undefined || options.maxDocuments !== undefined
  await withBackend({ dataDir: options.dataDir, create: setting, env: ctx.env }, async (backend) => {
    if (options.clear) await backend.setQuota(scope, undefined)
    else if (setting) {
      const own: ScopeQuota = { ...(await backend.getQuota(scope)) }
      if (options.maxBytes !== undefined) own.maxBytes = options.maxBytes
      if (options.maxDocuments !== undefined) own.maxDocuments = options.maxDocuments
      await backend.setQuota(scope, own)
    }
    printResult(ctx, options.json, await quotaReport(backend, scope, defaults), renderQuota)
  })
}
