/** `bento inspect`: what the command does once its options are parsed (loaded only when it runs). */
import { scopeFromArg } from '../../core/keys.js'
import { loadInspectOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { EXIT_REFUSED } from '../exit-codes.js'
import { note, notePending, printResult } from '../output.js'
import { pickScope } from '../pick.js'
import { resolveExistingScope } from '../scope-arg.js'
import { renderInspect } from '../render/inspect.js'
import type { InspectOptions } from '../commands/inspect.js'

export const runInspect = async (options: InspectOptions, ctx: CliContext): Promise<void> => {
  const typed = options.scope === undefined ? undefined : scopeFromArg(options.scope)
  const { inspectScope } = await loadInspectOp()
  await withBackend({ ...options, env: ctx.env }, async (backend) => {
    const scope = typed ? await resolveExistingScope(backend, typed) : await pickScope(ctx, backend, { message: 'Inspect which scope?', what: 'argument <key-or-dir>' })
    const { quotaFromEnv } = await import('../../ops/quota.js')
    const quotaDefaults = quotaFromEnv(ctx.env)
    const result = await inspectScope(backend, scope, { verify: options.verify, ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }), ...(quotaDefaults ? { quotaDefaults } : {}) })
    printResult(ctx, options.json, result, renderInspect)
    notePending(ctx, result.pending)
    if (!result.exists) {
      note(ctx, `bento: scope ${result.key} does not exist.`)
      ctx.exitCode = EXIT_REFUSED
    } else if (!result.healthy) {
      note(ctx, `bento: scope ${result.key} is unhealthy (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}).`)
      ctx.exitCode = EXIT_REFUSED
    }
  })
}
