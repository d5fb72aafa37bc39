import type { Command } from 'commander'
import { scopeFromArg } from '../../core/keys.js'
import { loadInspectOp } from '../ops.js'
import { withBackend } from '../backend.js'
import type { CliContext } from '../context.js'
import { parseDuration } from '../../core/duration.js'
import { sessionTtlFromEnv } from '../../core/env.js'
import { EXIT_REFUSED } from '../exit-codes.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'
import { note, notePending, printResult } from '../output.js'
import { pickScope } from '../pick.js'
import { resolveExistingScope } from '../scope-arg.js'
import { renderInspect } from '../render/inspect.js'

export interface InspectOptions extends CommonOptions {
  /** A key or directory name; prompted for on a terminal when absent. */
  scope: string | undefined
  verify: boolean
  /** When a session expires after its last activity; undefined means the op's default (24 h). */
  sessionTtlMs: number | undefined
}

const EXAMPLES = `
Examples:
  $ bento inspect session-abc123
  $ bento inspect user-123 --verify        also load the index and check it against the docstore
  $ bento inspect shared --json
  $ bento inspect session-<32 hex> --session-ttl 1h

Exits 3 when the scope does not exist or is unhealthy (the report is still printed),
4 when another process is writing it (busy: no report).`


export const toInspectOptions = (scope: string | undefined, raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): InspectOptions => ({
  ...toCommonOptions(raw),
  scope,
  verify: raw.verify === true,
  sessionTtlMs: typeof raw.sessionTtl === 'string' ? parseDuration(raw.sessionTtl, '--session-ttl') : sessionTtlFromEnv(env),
})

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

export const registerInspect = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('inspect')
    .description("show a scope's documents, vector index, uploads, activity and health")
    .argument('[key-or-dir]', 'the scope: a key or its directory name (shared, session-<32 hex>, user-123)')
    .option('--verify', 'load the index and check it against the docstore and uploads (slower)')
    .option('--session-ttl <duration>', 'session lifetime after last activity, for "expires" (default: 24h, or BENTO_SESSION_TTL)')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action((scope: string | undefined, raw: Record<string, unknown>) => runInspect(toInspectOptions(scope, raw, ctx.env), ctx))
}
