/**
 * `bento serve`: the HTTP server on 127.0.0.1 unless told otherwise. Flags win
 * over env vars (`PORT`, `BENTO_HOST`, `BENTO_ISOLATION`, `BENTO_DATA_DIR`,
 * `BENTO_SESSION_TTL`, `BENTO_CLEANUP_INTERVAL`, `BENTO_MAX_OPEN_STORES`,
 * `BENTO_READ_FRESHNESS`, and
 * the rest of `serverOptionsFromEnv`). Prints its URL on stderr; SIGINT or
 * SIGTERM stops it gracefully (every open store is flushed and closed).
 */
import { Option, type Command } from 'commander'
import { InvalidOptionsError } from '../../core/errors.js'
import type { CliContext } from '../context.js'
import { parseByteSize } from '../../core/byte-size.js'
import { parseDuration } from '../../core/duration.js'
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
  maxStoreMemory: number | undefined
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
    maxStoreMemory: raw.maxStoreMemory === undefined ? undefined : parseByteSize(String(raw.maxStoreMemory), '--max-store-memory'),
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
  const fromEnv = serverOptionsFromEnv(ctx.env)
  const server = createBentoServer({
    ...fromEnv,
    dataDir: options.dataDir,
    embedder: embedderFromEnv(ctx.env),
    ...(options.isolation ? { isolation: options.isolation } : {}),
    ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
    ...(options.cleanupIntervalMs === undefined ? {} : { cleanupIntervalMs: options.cleanupIntervalMs }),
    ...(options.maxOpenStores === undefined ? {} : { maxOpenStores: options.maxOpenStores }),
    ...(options.maxStoreMemory === undefined ? {} : { maxStoreMemory: options.maxStoreMemory }),
    ...(options.readFreshnessMs === undefined ? {} : { readFreshnessMs: options.readFreshnessMs }),
    ...(options.memory ? { memory: { enabled: true } } : {}),
    ...(options.trustProxy ? { trustProxy: true } : {}),
  })
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
    .addOption(new Option('--isolation <mode>', 'none, session or custom').env('BENTO_ISOLATION'))
    .addOption(new Option('--session-ttl <duration>', 'session scopes idle this long expire (default 24h)').env('BENTO_SESSION_TTL'))
    .addOption(new Option('--cleanup-interval <duration>', 'how often expired sessions are removed (default 30m)').env('BENTO_CLEANUP_INTERVAL'))
    .addOption(new Option('--max-open-stores <n>', 'most stores kept open, beside the memory budget (default 10000)').env('BENTO_MAX_OPEN_STORES'))
    .addOption(new Option('--max-store-memory <size>', 'memory the open stores may hold, e.g. 512M or 2G (default 512M)').env('BENTO_MAX_STORE_MEMORY'))
    .addOption(new Option('--read-freshness <ms>', "how late another process's changes may be seen by reads; 0 checks every read (default 50)").env('BENTO_READ_FRESHNESS'))
    .option('--memory', 'keep what users tell the assistant as per-scope persistent memory')
    .option('--trust-proxy', 'behind a TLS-terminating proxy: its X-Forwarded-Proto: https marks the session cookie Secure')
  addDataDirOption(command)
    .addHelpText('after', EXAMPLES)
    .action((raw: Record<string, unknown>) => runServe(toServeOptions(raw), ctx))
}
