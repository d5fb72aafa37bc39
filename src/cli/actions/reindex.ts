/** `bento reindex`: what the command does once its options are parsed (loaded only when it runs). */
import { scopeFromArg } from '../../core/keys.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { printResult } from '../output.js'
import { withProgress } from '../progress.js'
import { renderReindex } from '../render/reindex.js'
import { resolveExistingScope } from '../scope-arg.js'
import type { ReindexOptions } from '../commands/reindex.js'

export const runReindex = async (options: ReindexOptions, ctx: CliContext): Promise<void> => {
  const typed = options.keys.map(scopeFromArg)
  const { reindexScopes } = await import('../../ops/reindex.js')
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scopes = options.all ? 'all' : await Promise.all(typed.map((scope) => resolveExistingScope(backend, scope)))
    const result = await withProgress(ctx, 'Reindexing', { json: options.json }, (onProgress) => reindexScopes(backend, scopes, { onProgress, force: options.force }))
    printResult(ctx, options.json, result, renderReindex)
  })
}
