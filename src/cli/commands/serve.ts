/**
 * `bento serve`: the HTTP server on 127.0.0.1 unless told otherwise. Flags win
 * over env vars: `PORT` and `BENTO_HOST` are read here, the server's settings
 * (`BENTO_ISOLATION`, `BENTO_SESSION_TTL`, `BENTO_MAX_OPEN_STORES`, …) once, by
 * `serverOptionsFromEnv`, which skips every setting a flag gave, so an error
 * names the source the user used and a flag wins even over a bad variable.
 * Prints its URL on stderr; SIGINT or SIGTERM stops it gracefully (every open
 * store is flushed and closed).
 */
import { Option, type Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { formatDuration, parseDuration } from '../../core/duration.js'
import { DEFAULT_CLEANUP_INTERVAL_MS, DEFAULT_MAX_OPEN_STORES, DEFAULT_READ_FRESHNESS_MS, DEFAULT_SESSION_TTL_MS } from '../../core/defaults.js'
import type { BentoServerOptions } from '../../server/options.js'
import { addDataDirOption, parseNonNegativeInt, parsePositiveInt, toCommonOptions } from '../options.js'

export const ISOLATION_MODES = ['none', 'session', 'custom'] as const

export interface ServeOptions {
  dataDir: string
  port: number
  host: string
  isolation: (typeof ISOLATION_MODES)[number] | undefined
  sessionTtlMs: number | undefined
  cleanupIntervalMs: number | undefined
  maxOpenStores: number | undefined
  readFreshnessMs: number | undefined
  memory: boolean
  trustProxy: boolean
}

const EXAMPLES = `
Examples:
  $ bento serve                                  http://127.0.0.1:3000, shared scope
  $ bento serve --isolation session --session-ttl 24h --cleanup-interval 30m
  $ bento serve --isolation custom --host 0.0.0.0 --port 8080
  $ OPENROUTER_API_KEY=sk-… BENTO_ADMIN_KEYS=… bento serve --memory`

const parsePort = (value: string | undefined): number => {
  if (value === undefined) return 3000
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new InvalidOptionsError(`Invalid --port ${JSON.stringify(value)}: expected 0–65535.`)
  return Number(value)
}

export const toServeOptions = (raw: Record<string, unknown>): ServeOptions => {
  const isolation = raw.isolation as string | undefined
  if (isolation !== undefined && !(ISOLATION_MODES as readonly string[]).includes(isolation)) {
    throw new InvalidOptionsError(`Invalid --isolation ${JSON.stringify(isolation)}: expected none, session or custom.`)
  }
  const host = typeof raw.host === 'string' && raw.host.trim() !== '' ? raw.host.trim() : '127.0.0.1'
  return {
    dataDir: toCommonOptions(raw).dataDir,
    port: parsePort(raw.port as string | undefined),
    host,
    isolation: isolation as ServeOptions['isolation'],
    sessionTtlMs: raw.sessionTtl === undefined ? undefined : parseDuration(String(raw.sessionTtl), '--session-ttl'),
    cleanupIntervalMs: raw.cleanupInterval === undefined ? undefined : parseDuration(String(raw.cleanupInterval), '--cleanup-interval'),
    maxOpenStores: parsePositiveInt(raw.maxOpenStores as string | undefined, '--max-open-stores'),
    readFreshnessMs: parseNonNegativeInt(raw.readFreshness as string | undefined, '--read-freshness'),
    memory: raw.memory === true,
    trustProxy: raw.trustProxy === true,
  }
}

/** Serves until SIGINT or SIGTERM, then shuts down cleanly and resolves. */
export const runServe = async (options: ServeOptions, ctx: CliContext): Promise<void> => {
  // Loaded here so `bento --help` does not pay for Hono, pino and hnswlib.
  const [{ createBentoServer, serverOptionsFromEnv }, { embedderFromEnv }] = await Promise.all([
    import('../../server/index.js'),
    import('../../core/embeddings/index.js'),
  ])
  const fromFlags: BentoServerOptions = {
    dataDir: options.dataDir,
    ...(options.isolation ? { isolation: options.isolation } : {}),
    ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
    ...(options.cleanupIntervalMs === undefined ? {} : { cleanupIntervalMs: options.cleanupIntervalMs }),
    ...(options.maxOpenStores === undefined ? {} : { maxOpenStores: options.maxOpenStores }),
    ...(options.readFreshnessMs === undefined ? {} : { readFreshnessMs: options.readFreshnessMs }),
    ...(options.memory ? { memory: { enabled: true } } : {}),
    ...(options.trustProxy ? { trustProxy: true } : {}),
  }
  const fromEnv = serverOptionsFromEnv(ctx.env, { given: Object.keys(fromFlags) as Array<keyof BentoServerOptions> })
  const server = createBentoServer({ ...fromEnv, ...fromFlags, embedder: embedderFromEnv(ctx.env) })
  let address
  try {
    address = await server.start({ port: options.port, hostname: options.host })
  } catch (error) {
    await server.stop()
    throw error
  }
  ctx.err(`bento: serving ${server.config.isolation === 'none' ? 'the shared scope' : `${server.config.isolation} isolation`} from ${server.config.dataDir}\n`)
  ctx.err(`bento: listening on ${address.url}\n`)
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stopOn = (received: NodeJS.Signals) => {
      process.off('SIGINT', stopOn)
      process.off('SIGTERM', stopOn)
      resolve(received)
    }
    process.on('SIGINT', stopOn)
    process.on('SIGTERM', stopOn)
  })
  ctx.err(`bento: ${signal} received, closing open stores…\n`)
  await server.stop()
  ctx.err('bento: stopped\n')
}

export const registerServe = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('serve')
    .description('run the HTTP server (binds 127.0.0.1 unless --host says otherwise)')
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').env('PORT').default('3000'))
    .addOption(new Option('--host <host>', 'address to bind').env('BENTO_HOST').default('127.0.0.1'))
    // These variables are read by serverOptionsFromEnv, not by commander: one reader, and errors that name them.
    .option('--isolation <mode>', 'none, session or custom (env: BENTO_ISOLATION)')
    .option('--session-ttl <duration>', `session scopes idle this long expire (default ${DEFAULT_SESSION_TTL_MS / 3_600_000}h, env: BENTO_SESSION_TTL)`)
    .option('--cleanup-interval <duration>', `how often expired sessions are removed (default ${formatDuration(DEFAULT_CLEANUP_INTERVAL_MS)}, env: BENTO_CLEANUP_INTERVAL)`)
    .option('--max-open-stores <n>', `open stores kept in memory (default ${DEFAULT_MAX_OPEN_STORES}, env: BENTO_MAX_OPEN_STORES)`)
    .option('--read-freshness <ms>', `how late another process's changes may be seen by reads; 0 checks every read (default ${DEFAULT_READ_FRESHNESS_MS}, env: BENTO_READ_FRESHNESS)`)
    .option('--memory', 'keep what users tell the assistant as per-scope persistent memory (env: BENTO_MEMORY)')
    .option('--trust-proxy', 'behind a TLS-terminating proxy: its X-Forwarded-Proto: https marks the session cookie Secure (env: BENTO_TRUST_PROXY)')
  addDataDirOption(command)
    .addHelpText('after', EXAMPLES)
    .action((raw: Record<string, unknown>) => runServe(toServeOptions(raw), ctx))
}
