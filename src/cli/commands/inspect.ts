import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { parseDuration } from '../../core/duration.js'
import { sessionTtlFromEnv } from '../../core/env.js'
import { addCommonOptions, toCommonOptions, type CommonOptions } from '../options.js'

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

export const registerInspect = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('inspect')
    .description("show a scope's documents, vector index, uploads, activity and health")
    .argument('[key-or-dir]', 'the scope: a key or its directory name (shared, session-<32 hex>, user-123)')
    .option('--verify', 'load the index and check it against the docstore and uploads (slower)')
    .option('--session-ttl <duration>', 'session lifetime after last activity, for "expires" (default: 24h, or BENTO_SESSION_TTL)')
  addCommonOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (scope: string | undefined, raw: Record<string, unknown>) => {
      const options = toInspectOptions(scope, raw, ctx.env)
      const { runInspect } = await import('../actions/inspect.js')
      return runInspect(options, ctx)
    })
}
