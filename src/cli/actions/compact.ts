/** `bento compact`: what the command does once its options are parsed (loaded only when it runs). */
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { printResult } from '../output.js'
import { withProgress } from '../progress.js'
import { renderCompact } from '../render/compact.js'
import { resolveExistingScope } from '../scope-arg.js'
import type { CompactOptions } from '../commands/compact.js'

export const runCompact = async (options: CompactOptions, ctx: CliContext): Promise<void> => {
  const typed = options.keys.map(scopeFromArg)
  const { compactScopes } = await import('../../ops/compact.js')
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scopes = options.all ? 'all' : await Promise.all(typed.map((scope) => resolveExistingScope(backend, scope)))
    const result = await withProgress(ctx, 'Compacting', { json: options.json }, (onProgress) => compactScopes(backend, scopes, { onProgress }))
    printResult(ctx, options.json, result, renderCompact)
  })
}
