/** `bento adopt`: what the command does once its options are parsed (loaded only when it runs). */
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { printResult } from '../output.js'
import { renderAdopt } from '../render/adopt.js'
import { resolveExistingScope } from '../scope-arg.js'
import type { AdoptCliOptions } from '../commands/adopt.js'

export const runAdopt = async (options: AdoptCliOptions, ctx: CliContext): Promise<void> => {
  const typed = scopeFromArg(options.key)
  const { adoptScope } = await import('../../ops/adopt.js')
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scope = await resolveExistingScope(backend, typed)
    const result = await adoptScope(backend, scope, { embedderId: options.embedder, dimension: options.dimension, dryRun: options.dryRun })
    printResult(ctx, options.json, result, renderAdopt)
  })
}
