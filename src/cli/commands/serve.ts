/**
 * `bento serve`: the HTTP server on 127.0.0.1 unless told otherwise. Flags win
 * over env vars. `PORT`, `BENTO_HOST`, `BENTO_AUTH` and `BENTO_DATA_DIR` are read
 * here (commander); every other server setting once, by `serverOptionsFromEnv`,
 * after the variables of the flags given are taken out: an error names the
 * source the user used, and a flag wins even over a variable that would be
 * refused. Prints its URL on stderr; SIGINT or SIGTERM stops it gracefully
 * (every open store is flushed and closed).
 */
import { Option, type Command } from 'commander'
import { InvalidOptionsError, RefusedError } from '../../core/errors.js'
import type { JwtAuthOptions } from '../../server/auth/options.js'
import { isLoopbackHost } from '../../server/loopback.js'
import type { BentoServerOptions } from '../../server/options.js'
import { parseByteSize } from '../../core/byte-size.js'
import type { CliContext } from '../context.js'
import { formatDuration, parseDuration } from '../../core/duration.js'
import { DEFAULT_CLEANUP_INTERVAL_MS, DEFAULT_MAX_OPEN_STORES, DEFAULT_READ_FRESHNESS_MS, DEFAULT_SESSION_TTL_MS } from '../../core/defaults.js'
import { addDataDirOption, parseNonNegativeInt, parsePositiveInt, toCommonOptions } from '../options.js'

export const ISOLATION_MODES = ['none', 'session', 'custom'] as const

export interface ServeOptions {
  /** `--backend` / `BENTO_DATABASE_URL`: serve scopes from PostgreSQL or PGlite instead of the data dir. */
  backend?: string
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
  /** `--auth`: undefined leaves it to `BENTO_AUTH`. */
  auth: 'none' | 'jwt' | undefined
  /** `--jwks`, `--jwt-issuer`, … over the `BENTO_JWT_*` variables (the secret only from `BENTO_JWT_SECRET`). */
  jwt: Partial<JwtAuthOptions>
  /** `--trust-identity-header`: custom isolation on a non-loopback host without auth, on purpose. */
  trustIdentityHeader: boolean
  /** Library options that have a flag: `--default-key`, `--conversation-ttl`, `--chat-timeout`, … */
  library: Pick<BentoServerOptions, 'defaultKey' | 'conversationTtlMs' | 'maxJsonBytes'> & {
    chat: NonNullable<BentoServerOptions['chat']>
    uploadLimits: NonNullable<BentoServerOptions['uploadLimits']>
    /** `--rate-limit-scope`, `--rate-limit-access-key` (requests per minute), `--rate-limit-burst`. */
    rateLimit: { scope?: number; accessKey?: number; burst?: number }
    /** `--quota-max-bytes`, `--quota-max-documents`: the quota of every scope without its own. */
    quota: NonNullable<BentoServerOptions['quota']>
  }
  /** False for --no-ui; undefined leaves it to BENTO_UI (default on). */
  ui: false | undefined
}

const EXAMPLES = `
Examples:
  $ bento serve                                  http://127.0.0.1:3000, shared scope
  $ bento serve --isolation session --session-ttl 24h --cleanup-interval 30m
  $ BENTO_JWT_SECRET=… bento serve --auth jwt --host 0.0.0.0 --port 8080
  $ bento serve --auth jwt --jwks https://idp.example.com/.well-known/jwks.json --jwt-audience bento
  $ bento serve --isolation custom --host 0.0.0.0 --trust-identity-header   behind your authenticating proxy
  $ OPENROUTER_API_KEY=sk-… BENTO_ADMIN_KEYS=… bento serve --memory`

const parsePort = (value: string | undefined): number => {
  if (value === undefined) return 3000
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new InvalidOptionsError(`Invalid --port ${JSON.stringify(value)}: expected 0–65535.`)
  return Number(value)
}

const AUTH_MODES = ['none', 'jwt'] as const

const listValue = (value: unknown): string | string[] | undefined => {
  if (typeof value !== 'string') return undefined
  const items = value.split(',').map((item) => item.trim()).filter(Boolean)
  return items.length === 0 ? undefined : items.length === 1 ? items[0] : items
}

const toJwtFlags = (raw: Record<string, unknown>): Partial<JwtAuthOptions> => {
  const jwt: Partial<JwtAuthOptions> = {}
  if (typeof raw.jwks === 'string' && raw.jwks.trim() !== '') jwt.jwks = raw.jwks.trim()
  const issuer = listValue(raw.jwtIssuer)
  if (issuer !== undefined) jwt.issuer = issuer
  const audience = listValue(raw.jwtAudience)
  if (audience !== undefined) jwt.audience = audience
  if (raw.jwtClockTolerance !== undefined) {
    jwt.clockToleranceMs = raw.jwtClockTolerance === '0' ? 0 : parseDuration(String(raw.jwtClockTolerance), '--jwt-clock-tolerance')
  }
  if (typeof raw.keyClaim === 'string') jwt.keyClaim = raw.keyClaim
  if (typeof raw.tenantClaim === 'string') jwt.tenantClaim = raw.tenantClaim
  return jwt
}

const toLibraryFlags = (raw: Record<string, unknown>): ServeOptions['library'] => {
  const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)
  const models = listValue(raw.chatModels)
  const timeout = str(raw.chatTimeout)
  const passages = str(raw.contextPassages)
  const maxFile = str(raw.maxFileSize)
  const maxText = str(raw.maxTextChars)
  const extractTimeout = str(raw.extractTimeout)
  const extractMemory = str(raw.extractMemory)
  const maxJson = str(raw.maxJsonSize)
  const conversationTtl = str(raw.conversationTtl)
  const defaultKey = str(raw.defaultKey)
  const rateScope = str(raw.rateLimitScope)
  const rateKey = str(raw.rateLimitAccessKey)
  const rateBurst = str(raw.rateLimitBurst)
  const quotaBytes = str(raw.quotaMaxBytes)
  const quotaDocuments = str(raw.quotaMaxDocuments)
  return {
    ...(defaultKey === undefined ? {} : { defaultKey }),
    ...(conversationTtl === undefined ? {} : { conversationTtlMs: parseDuration(conversationTtl, '--conversation-ttl') }),
    ...(maxJson === undefined ? {} : { maxJsonBytes: parseByteSize(maxJson, '--max-json-size') }),
    chat: {
      ...(models === undefined ? {} : { models: Array.isArray(models) ? models : [models] }),
      ...(timeout === undefined ? {} : { timeoutMs: parseDuration(timeout, '--chat-timeout') }),
      ...(passages === undefined ? {} : { contextPassages: parseNonNegativeCount(passages, '--context-passages') }),
    },
    uploadLimits: {
      ...(maxFile === undefined ? {} : { maxFileBytes: parseByteSize(maxFile, '--max-file-size') }),
      ...(maxText === undefined ? {} : { maxTextChars: parsePositiveInt(maxText, '--max-text-chars')! }),
      ...(extractTimeout === undefined ? {} : { extractTimeoutMs: parseDuration(extractTimeout, '--extract-timeout') }),
      ...(extractMemory === undefined ? {} : { extractMemoryMb: parseExtractMemory(extractMemory) }),
    },
    rateLimit: {
      ...(rateScope === undefined ? {} : { scope: parsePositiveInt(rateScope, '--rate-limit-scope')! }),
      ...(rateKey === undefined ? {} : { accessKey: parsePositiveInt(rateKey, '--rate-limit-access-key')! }),
      ...(rateBurst === undefined ? {} : { burst: parsePositiveInt(rateBurst, '--rate-limit-burst')! }),
    },
    quota: {
      ...(quotaBytes === undefined ? {} : { maxBytes: parseByteSize(quotaBytes, '--quota-max-bytes') }),
      ...(quotaDocuments === undefined ? {} : { maxDocuments: parsePositiveInt(quotaDocuments, '--quota-max-documents')! }),
    },
  }
}

const parseExtractMemory = (value: string): number => {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 16) throw new InvalidOptionsError(`Invalid --extract-memory ${JSON.stringify(value)}: expected a whole number of MB from 16 to 65536.`)
  return Number(value)
}

const parseNonNegativeCount = (value: string, flag: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidOptionsError(`Invalid ${flag} ${JSON.stringify(value)}: expected a whole number (0 or more).`)
  return Number(value)
}

export const toServeOptions = (raw: Record<string, unknown>): ServeOptions => {
  const auth = raw.auth as string | undefined
  if (auth !== undefined && !(AUTH_MODES as readonly string[]).includes(auth)) {
    throw new InvalidOptionsError(`Invalid --auth ${JSON.stringify(auth)}: expected none or jwt.`)
  }
  const jwt = toJwtFlags(raw)
  if (auth !== 'jwt' && Object.keys(jwt).length > 0) {
    throw new InvalidOptionsError(`--${Object.keys(jwt)[0] === 'jwks' ? 'jwks' : 'jwt-…'} options need --auth jwt.`)
  }
  const isolation = raw.isolation as string | undefined
  if (isolation !== undefined && !(ISOLATION_MODES as readonly string[]).includes(isolation)) {
    throw new InvalidOptionsError(`Invalid --isolation ${JSON.stringify(isolation)}: expected none, session or custom.`)
  }
  const host = typeof raw.host === 'string' && raw.host.trim() !== '' ? raw.host.trim() : '127.0.0.1'
  const common = toCommonOptions(raw)
  return {
    dataDir: common.dataDir,
    ...(common.backend === undefined ? {} : { backend: common.backend }),
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
    auth: auth as ServeOptions['auth'],
    jwt,
    trustIdentityHeader: raw.trustIdentityHeader === true,
    library: toLibraryFlags(raw),
    ui: raw.ui === false ? false : undefined,
  }
}

const resolveAuth = (
  options: ServeOptions,
  settingsFromEnv: (env: Record<string, string | undefined>) => Partial<JwtAuthOptions>,
  env: Record<string, string | undefined>,
): JwtAuthOptions | undefined => (options.auth === 'jwt' ? { ...settingsFromEnv(env), ...options.jwt, type: 'jwt' } : undefined)

/**
 * Threat: custom isolation that trusts a header, reachable from other machines: any
 * caller reads and deletes any user's data by naming them. Refused unless the token is
 * verified (`--auth jwt`) or the operator says a proxy in front authenticates and sets
 * the header (`--trust-identity-header`). Test: test/server/serve-identity.test.ts.
 */
const identityNotice = (isolation: string, auth: JwtAuthOptions | undefined, host: string, trustIdentityHeader: boolean): string[] => {
  if (auth !== undefined) {
    const notes = [`bento: identity: verified JWT (${auth.secret !== undefined ? 'HS256 secret from BENTO_JWT_SECRET' : `JWKS ${String(auth.jwks)}`}); key claim ${auth.keyClaim ?? 'sub'}${auth.tenantClaim ? `, tenant claim ${auth.tenantClaim}` : ''}; x-isolation-key and X-Muxi-User-Id are ignored\n`]
    if (auth.jwks !== undefined && auth.audience === undefined) {
      notes.push('bento: warning: no --jwt-audience: any token of this identity provider is accepted, including tokens issued for other apps\n')
    }
    return notes
  }
  if (isolation !== 'custom') return []
  if (!isLoopbackHost(host) && !trustIdentityHeader) {
    throw new RefusedError(`Refusing to serve custom isolation on ${host} without verified identity: any caller could choose whose data it reads with x-isolation-key. Use --auth jwt, or --trust-identity-header if a proxy in front authenticates users and sets that header.`)
  }
  return ['bento: warning: custom isolation trusts the x-isolation-key / X-Muxi-User-Id header: any caller that reaches this server can choose whose data it reads and deletes. Use --auth jwt unless a proxy in front sets the header.\n']
}

/** Which model and embeddings endpoints answer, said at start (never a key). */
const endpointNotice = (chat: { llm: boolean; baseUrl: string; model: string }, embedderId: string, env: Record<string, string | undefined>, defaultEmbeddingsUrl: string): string[] => [
  chat.llm
    ? `bento: chat: ${chat.baseUrl} (model ${chat.model}, ${env.OPENROUTER_API_KEY ? 'key from OPENROUTER_API_KEY' : 'no key'})\n`
    : 'bento: chat: no language model (answers quote retrieved passages); set BENTO_CHAT_URL or OPENROUTER_API_KEY\n',
  embedderId.startsWith('local-')
    ? `bento: embeddings: ${embedderId} (offline, in process)\n`
    : `bento: embeddings: ${env.BENTO_EMBEDDINGS_URL?.trim() || defaultEmbeddingsUrl} (${embedderId})\n`,
]

/** Flags over the environment, field by field inside `chat` and `uploadLimits`. */
const withLibraryFlags = (fromEnv: BentoServerOptions, flags: ServeOptions['library']): BentoServerOptions => {
  const chat = { ...fromEnv.chat, ...flags.chat }
  const uploadLimits = { ...fromEnv.uploadLimits, ...flags.uploadLimits }
  const quota = { ...fromEnv.quota, ...flags.quota }
  const burst = flags.rateLimit.burst ?? fromEnv.rateLimit?.scope?.burst ?? fromEnv.rateLimit?.accessKey?.burst
  const rule = (perMinute: number | undefined) => (perMinute === undefined ? undefined : { requestsPerMinute: perMinute, ...(burst === undefined ? {} : { burst }) })
  const scopeRule = rule(flags.rateLimit.scope ?? fromEnv.rateLimit?.scope?.requestsPerMinute)
  const keyRule = rule(flags.rateLimit.accessKey ?? fromEnv.rateLimit?.accessKey?.requestsPerMinute)
  return {
    ...(scopeRule || keyRule ? { rateLimit: { ...(scopeRule ? { scope: scopeRule } : {}), ...(keyRule ? { accessKey: keyRule } : {}) } } : {}),
    ...(Object.keys(quota).length > 0 ? { quota } : {}),
    ...(flags.defaultKey === undefined ? {} : { defaultKey: flags.defaultKey }),
    ...(flags.conversationTtlMs === undefined ? {} : { conversationTtlMs: flags.conversationTtlMs }),
    ...(flags.maxJsonBytes === undefined ? {} : { maxJsonBytes: flags.maxJsonBytes }),
    ...(Object.keys(chat).length > 0 ? { chat } : {}),
    ...(Object.keys(uploadLimits).length > 0 ? { uploadLimits } : {}),
  }
}

/**
 * The variables whose settings a flag gave (and those commander reads itself):
 * `serverOptionsFromEnv` neither reads nor checks them, so the flag wins.
 */
const variablesOfFlags = (options: ServeOptions): string[] => {
  const given: Array<[unknown, string]> = [
    [options.isolation, 'BENTO_ISOLATION'],
    [options.sessionTtlMs, 'BENTO_SESSION_TTL'],
    [options.cleanupIntervalMs, 'BENTO_CLEANUP_INTERVAL'],
    [options.maxOpenStores, 'BENTO_MAX_OPEN_STORES'],
    [options.maxStoreMemory, 'BENTO_MAX_STORE_MEMORY'],
    [options.readFreshnessMs, 'BENTO_READ_FRESHNESS'],
    [options.memory || undefined, 'BENTO_MEMORY'],
    [options.trustProxy || undefined, 'BENTO_TRUST_PROXY'],
    [options.ui, 'BENTO_UI'],
    [options.library.defaultKey, 'BENTO_DEFAULT_KEY'],
    [options.library.conversationTtlMs, 'BENTO_CONVERSATION_TTL'],
    [options.library.maxJsonBytes, 'BENTO_MAX_JSON_SIZE'],
    [options.library.chat.timeoutMs, 'BENTO_CHAT_TIMEOUT'],
    [options.library.chat.contextPassages, 'BENTO_CONTEXT_PASSAGES'],
    [options.library.chat.models, 'BENTO_CHAT_MODELS'],
    [options.library.uploadLimits.maxFileBytes, 'BENTO_MAX_FILE_SIZE'],
    [options.library.uploadLimits.maxTextChars, 'BENTO_MAX_TEXT_CHARS'],
    [options.library.uploadLimits.extractTimeoutMs, 'BENTO_EXTRACT_TIMEOUT'],
    [options.library.uploadLimits.extractMemoryMb, 'BENTO_EXTRACT_MEMORY_MB'],
    [options.library.rateLimit.scope, 'BENTO_RATE_LIMIT_SCOPE'],
    [options.library.rateLimit.accessKey, 'BENTO_RATE_LIMIT_ACCESS_KEY'],
    [options.library.rateLimit.burst, 'BENTO_RATE_LIMIT_BURST'],
    [options.library.quota.maxBytes, 'BENTO_QUOTA_MAX_BYTES'],
    [options.library.quota.maxDocuments, 'BENTO_QUOTA_MAX_DOCUMENTS'],
  ]
  // --auth and --data-dir read their variables through commander, so the flag alone decides.
  return ['BENTO_AUTH', 'BENTO_DATA_DIR', ...given.filter(([value]) => value !== undefined).map(([, name]) => name)]
}

/** Serves until SIGINT or SIGTERM, then shuts down cleanly and resolves. */
export const runServe = async (options: ServeOptions, ctx: CliContext): Promise<void> => {
  // Loaded here so `bento --help` does not pay for Hono, pino and hnswlib.
  const [{ createBentoServer, serverOptionsFromEnv, jwtSettingsFromEnv }, { embedderFromEnv }] = await Promise.all([
    import('../../server/index.js'),
    import('../../core/embeddings/index.js'),
  ])
  const fromEnv = serverOptionsFromEnv(ctx.env, { given: variablesOfFlags(options) })
  const embedder = embedderFromEnv(ctx.env)
  const auth = resolveAuth(options, jwtSettingsFromEnv, ctx.env)
  const isolation = options.isolation ?? fromEnv.isolation ?? (auth ? 'custom' : 'none')
  const notices = identityNotice(isolation, auth, options.host, options.trustIdentityHeader)
  let backend: import('../../core/backend/types.js').StorageBackend | undefined
  let servedFrom = options.dataDir
  if (options.backend !== undefined) {
    const [{ createPgBackend }, { parseDatabaseSpec, describeSpec }, { databasePoolSizeFromEnv }] = await Promise.all([
      import('../../core/backend/pg/pg-backend.js'),
      import('../../core/backend/pg/spec.js'),
      import('../../core/env.js'),
    ])
    const spec = parseDatabaseSpec(options.backend)
    const poolSize = databasePoolSizeFromEnv(ctx.env)
    backend = await createPgBackend({ spec, embedder, ...(poolSize === undefined ? {} : { poolSize }) })
    servedFrom = describeSpec(spec)
  }
  const create = () => createBentoServer({
    ...(backend ? { backend } : {}),
    ...fromEnv,
    ...(auth ? { auth } : {}),
    ...withLibraryFlags(fromEnv, options.library),
    dataDir: options.dataDir,
    embedder,
    ...(options.isolation ? { isolation: options.isolation } : {}),
    ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
    ...(options.cleanupIntervalMs === undefined ? {} : { cleanupIntervalMs: options.cleanupIntervalMs }),
    ...(options.maxOpenStores === undefined ? {} : { maxOpenStores: options.maxOpenStores }),
    ...(options.maxStoreMemory === undefined ? {} : { maxStoreMemory: options.maxStoreMemory }),
    ...(options.readFreshnessMs === undefined ? {} : { readFreshnessMs: options.readFreshnessMs }),
    ...(options.memory ? { memory: { enabled: true } } : {}),
    ...(options.trustProxy ? { trustProxy: true } : {}),
    ...(options.ui === false ? { ui: false } : {}),
  })
  let server: ReturnType<typeof create>
  try {
    server = create()
  } catch (error) {
    await backend?.close()
    throw error
  }
  let address
  try {
    address = await server.start({ port: options.port, hostname: options.host })
  } catch (error) {
    await server.stop()
    throw error
  }
  for (const notice of notices) ctx.err(notice)
  const { DEFAULT_EMBEDDINGS_URL } = await import('../../core/embeddings/openai.js')
  for (const line of endpointNotice(server.config.chat, embedder.id, ctx.env, DEFAULT_EMBEDDINGS_URL)) ctx.err(line)
  ctx.err(`bento: serving ${server.config.isolation === 'none' ? 'the shared scope' : `${server.config.isolation} isolation`} from ${servedFrom}\n`)
  ctx.err(`bento: listening on ${address.url}\n`)
  if (server.config.ui) ctx.err(`bento: web page on ${address.url}/\n`)
  // The handlers stay until the stop is done: a library's exit hook (signal-exit, under proper-lockfile) that
  // finds itself the only listener re-raises the signal and kills the process mid-stop. A second signal meanwhile
  // is ignored; the stop is bounded by the in-flight requests it waits for.
  let stopOn: (received: NodeJS.Signals) => void = () => {}
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    stopOn = resolve
    process.on('SIGINT', stopOn)
    process.on('SIGTERM', stopOn)
  })
  try {
    ctx.err(`bento: ${signal} received, closing open stores…\n`)
    await server.stop()
    ctx.err('bento: stopped\n')
  } finally {
    process.off('SIGINT', stopOn)
    process.off('SIGTERM', stopOn)
  }
}

export const registerServe = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('serve')
    .description('run the HTTP server (binds 127.0.0.1 unless --host says otherwise)')
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').env('PORT').default('3000'))
    .addOption(new Option('--host <host>', 'address to bind').env('BENTO_HOST').default('127.0.0.1'))
    // The variables of these flags are read by serverOptionsFromEnv, not by commander: one reader, and errors that name them.
    .option('--isolation <mode>', 'none, session or custom (env: BENTO_ISOLATION)')
    .option('--session-ttl <duration>', `session scopes idle this long expire (default ${DEFAULT_SESSION_TTL_MS / 3_600_000}h, env: BENTO_SESSION_TTL)`)
    .option('--cleanup-interval <duration>', `how often expired sessions are removed (default ${formatDuration(DEFAULT_CLEANUP_INTERVAL_MS)}, env: BENTO_CLEANUP_INTERVAL)`)
    .option('--max-open-stores <n>', `open stores kept in memory (default ${DEFAULT_MAX_OPEN_STORES}, env: BENTO_MAX_OPEN_STORES)`)
    .option('--max-store-memory <size>', 'memory the open stores may hold, e.g. 512m (default 512m, env: BENTO_MAX_STORE_MEMORY)')
    .option('--read-freshness <ms>', `how late another process's changes may be seen by reads; 0 checks every read (default ${DEFAULT_READ_FRESHNESS_MS}, env: BENTO_READ_FRESHNESS)`)
    .addOption(new Option('--auth <mode>', 'none, or jwt: verify Authorization: Bearer <JWT> (HS256 with BENTO_JWT_SECRET, or --jwks) and take the key from it').env('BENTO_AUTH'))
    .option('--jwks <file-or-url>', 'public keys for --auth jwt: a JWKS file, or an https URL (env BENTO_JWKS)')
    .option('--jwt-issuer <iss>', 'accepted token issuers, comma-separated (env BENTO_JWT_ISSUER)')
    .option('--jwt-audience <aud>', 'accepted token audiences, comma-separated (env BENTO_JWT_AUDIENCE)')
    .option('--jwt-clock-tolerance <duration>', 'leeway for exp and nbf (default 5s; env BENTO_JWT_CLOCK_TOLERANCE)')
    .option('--key-claim <claim>', 'the token claim holding the isolation key (default sub; env BENTO_JWT_KEY_CLAIM)')
    .option('--tenant-claim <claim>', 'a token claim naming the tenant: the key becomes <tenant>:<key> (env BENTO_JWT_TENANT_CLAIM)')
    .option('--trust-identity-header', 'allow custom isolation without --auth on a non-loopback host: a proxy in front authenticates and sets x-isolation-key')
    .option('--default-key <key>', 'custom isolation: the key of requests that name no user (MUXI single-user mode: 0, env: BENTO_DEFAULT_KEY)')
    .option('--conversation-ttl <duration>', 'conversations idle this long expire (default 24h, env: BENTO_CONVERSATION_TTL)')
    .option('--chat-timeout <duration>', 'give up on the language model after this long (default 60s, env: BENTO_CHAT_TIMEOUT)')
    .option('--context-passages <n>', "passages of the user's documents given to the model (default 4, env: BENTO_CONTEXT_PASSAGES)")
    .option('--chat-models <ids>', 'models a request may choose, comma-separated (default: the chat model, env: BENTO_CHAT_MODELS)')
    .option('--max-file-size <size>', 'largest upload, e.g. 10m (default 10m, env: BENTO_MAX_FILE_SIZE)')
    .option('--max-text-chars <n>', 'most characters of text one upload may yield (default 2000000, env: BENTO_MAX_TEXT_CHARS)')
    .option('--extract-timeout <duration>', 'stop parsing one upload after this long (default 30s, env: BENTO_EXTRACT_TIMEOUT)')
    .option('--extract-memory <mb>', 'heap budget of an extraction worker, in MB (default 512, env: BENTO_EXTRACT_MEMORY_MB)')
    .option('--max-json-size <size>', 'largest JSON request body, e.g. 1m (default 1m, env: BENTO_MAX_JSON_SIZE)')
    .option('--rate-limit-scope <n>', 'requests per minute per isolation key, token bucket, per process (default off, env: BENTO_RATE_LIMIT_SCOPE)')
    .option('--rate-limit-access-key <n>', 'requests per minute per access key, token bucket, per process (default off, env: BENTO_RATE_LIMIT_ACCESS_KEY)')
    .option('--rate-limit-burst <n>', 'requests a rate limit allows at once (default: the per-minute rate, env: BENTO_RATE_LIMIT_BURST)')
    .option('--quota-max-bytes <size>', 'disk each scope may use, e.g. 500m, unless set per scope (default off, env: BENTO_QUOTA_MAX_BYTES)')
    .option('--quota-max-documents <n>', 'documents each scope may hold, unless set per scope (default off, env: BENTO_QUOTA_MAX_DOCUMENTS)')
    .option('--memory', 'keep what users tell the assistant as per-scope persistent memory (env: BENTO_MEMORY)')
    .option('--trust-proxy', 'behind a TLS-terminating proxy: its X-Forwarded-Proto: https marks the session cookie Secure (env: BENTO_TRUST_PROXY)')
    .option('--no-ui', 'serve the API only, without the web page at / (env BENTO_UI=off)')
  addDataDirOption(command)
    .addHelpText('after', EXAMPLES)
    .action((raw: Record<string, unknown>) => runServe(toServeOptions(raw), ctx))
}
