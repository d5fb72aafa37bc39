/**
 * Server options from environment variables, for `bento serve` and for
 * deployments that configure by env. The library never reads the env by
 * itself: `createBentoServer` does only what its options say.
 *
 * `BENTO_DATA_DIR`, `BENTO_ISOLATION`, `BENTO_SESSION_TTL` and `BENTO_CLEANUP_INTERVAL`
 * (durations: `24h`, `30m`, as `bento serve`'s flags), `BENTO_MAX_OPEN_STORES`,
 * `BENTO_READ_FRESHNESS` (whole milliseconds, `0` checks on every read),
 * `OPENROUTER_API_KEY`, `BENTO_CHAT_URL`, `BENTO_CHAT_MODEL`, `BENTO_CLIENT_KEYS`,
 * `BENTO_ADMIN_KEYS` (comma-separated), `BENTO_CORS_ORIGIN`, `BENTO_MEMORY`
 * (on enables persistent memory), `BENTO_TRUST_PROXY` (on: trust
 * `X-Forwarded-Proto`), `BENTO_UI` (off: no web page at `/`), `BENTO_EXTRACT_TIMEOUT` (a duration)
 * and `BENTO_EXTRACT_MEMORY_MB` (extraction budgets). Switches take `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`.
 */
import { parseByteSize } from '../core/byte-size.js'
import { parseDuration } from '../core/duration.js'
import { InvalidOptionsError } from '../core/errors.js'
import { ingestLimitsFromEnv } from '../core/ingest/limits.js'
import type { JwtAuthOptions } from './auth/options.js'
import type { BentoServerOptions } from './options.js'

type Env = Record<string, string | undefined>

const text = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value ? value : undefined
}

const integer = (env: Env, name: string): number | undefined => {
  const value = text(env, name)
  if (value === undefined) return undefined
  if (!/^[0-9]+$/.test(value)) throw new InvalidOptionsError(`Invalid ${name} ${JSON.stringify(value)}: expected a whole number.`)
  return Number(value)
}

const duration = (env: Env, name: string): number | undefined => {
  // The old millisecond names are refused, not ignored: ignoring one would silently run with the default.
  if (text(env, `${name}_MS`) !== undefined) {
    throw new InvalidOptionsError(`${name}_MS is no longer read: set ${name} to a duration such as 24h or 30m.`)
  }
  const value = text(env, name)
  return value === undefined ? undefined : parseDuration(value, name)
}

const ON = new Set(['1', 'true', 'yes', 'on'])
const OFF = new Set(['0', 'false', 'no', 'off'])

/** `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`, any case; anything else is refused, not read as off. */
const enabled = (env: Env, name: string): boolean | undefined => {
  const value = text(env, name)?.toLowerCase()
  if (value === undefined) return undefined
  if (ON.has(value)) return true
  if (OFF.has(value)) return false
  throw new InvalidOptionsError(`Invalid ${name} ${JSON.stringify(env[name]?.trim())}: expected 1, true, yes or on, or 0, false, no or off.`)
}

const list = (env: Env, name: string): string[] | undefined => {
  const items = text(env, name)?.split(',').map((item) => item.trim()).filter(Boolean)
  return items && items.length > 0 ? items : undefined
}

/**
 * `BENTO_AUTH=jwt` with `BENTO_JWT_SECRET` (HS256) or `BENTO_JWKS` (a file or an https URL),
 * and optionally `BENTO_JWT_ISSUER`, `BENTO_JWT_AUDIENCE` (comma-separated), `BENTO_JWT_CLOCK_TOLERANCE`
 * (a duration), `BENTO_JWT_KEY_CLAIM`, `BENTO_JWT_TENANT_CLAIM`.
 */
export const authFromEnv = (env: Env): JwtAuthOptions | undefined => {
  const mode = text(env, 'BENTO_AUTH')?.toLowerCase()
  if (mode === undefined || mode === 'none') return undefined
  if (mode !== 'jwt') throw new InvalidOptionsError(`Invalid BENTO_AUTH ${JSON.stringify(text(env, 'BENTO_AUTH'))}: expected none or jwt.`)
  return { ...jwtSettingsFromEnv(env), type: 'jwt' }
}

/** The `BENTO_JWT_*` / `BENTO_JWKS` settings alone, for `bento serve --auth jwt`. */
export const jwtSettingsFromEnv = (env: Env): Partial<JwtAuthOptions> => {
  const auth: Partial<JwtAuthOptions> = {}
  const secret = env.BENTO_JWT_SECRET
  if (secret !== undefined && secret !== '') auth.secret = secret
  const jwks = text(env, 'BENTO_JWKS')
  if (jwks !== undefined) auth.jwks = jwks
  const issuer = list(env, 'BENTO_JWT_ISSUER')
  if (issuer) auth.issuer = issuer.length === 1 ? issuer[0]! : issuer
  const audience = list(env, 'BENTO_JWT_AUDIENCE')
  if (audience) auth.audience = audience.length === 1 ? audience[0]! : audience
  const clock = text(env, 'BENTO_JWT_CLOCK_TOLERANCE')
  if (clock !== undefined) auth.clockToleranceMs = clock === '0' ? 0 : parseDuration(clock, 'BENTO_JWT_CLOCK_TOLERANCE')
  const keyClaim = text(env, 'BENTO_JWT_KEY_CLAIM')
  if (keyClaim !== undefined) auth.keyClaim = keyClaim
  const tenantClaim = text(env, 'BENTO_JWT_TENANT_CLAIM')
  if (tenantClaim !== undefined) auth.tenantClaim = tenantClaim
  return auth
}

/**
 * @example
 * const server = createBentoServer({ ...serverOptionsFromEnv(process.env), logger: false })
 */
export const serverOptionsFromEnv = (env: Env = process.env): BentoServerOptions => {
  const isolation = text(env, 'BENTO_ISOLATION')
  if (isolation !== undefined && isolation !== 'none' && isolation !== 'session' && isolation !== 'custom') {
    throw new InvalidOptionsError(`Invalid BENTO_ISOLATION ${JSON.stringify(isolation)}: expected none, session or custom.`)
  }
  const client = list(env, 'BENTO_CLIENT_KEYS')
  const admin = list(env, 'BENTO_ADMIN_KEYS')
  const chatUrl = text(env, 'BENTO_CHAT_URL')
  const chatModel = text(env, 'BENTO_CHAT_MODEL')
  const corsOrigin = list(env, 'BENTO_CORS_ORIGIN')
  const memory = enabled(env, 'BENTO_MEMORY')
  const trustProxy = enabled(env, 'BENTO_TRUST_PROXY')
  const ui = enabled(env, 'BENTO_UI')
  const options: BentoServerOptions = {}
  const dataDir = text(env, 'BENTO_DATA_DIR')
  if (dataDir !== undefined) options.dataDir = dataDir
  if (isolation !== undefined) options.isolation = isolation
  const sessionTtlMs = duration(env, 'BENTO_SESSION_TTL')
  if (sessionTtlMs !== undefined) options.sessionTtlMs = sessionTtlMs
  const cleanupIntervalMs = duration(env, 'BENTO_CLEANUP_INTERVAL')
  if (cleanupIntervalMs !== undefined) options.cleanupIntervalMs = cleanupIntervalMs
  const maxOpenStores = integer(env, 'BENTO_MAX_OPEN_STORES')
  if (maxOpenStores !== undefined) options.maxOpenStores = maxOpenStores
  const maxStoreMemory = text(env, 'BENTO_MAX_STORE_MEMORY')
  if (maxStoreMemory !== undefined) options.maxStoreMemory = parseByteSize(maxStoreMemory, 'BENTO_MAX_STORE_MEMORY')
  const readFreshnessMs = integer(env, 'BENTO_READ_FRESHNESS')
  if (readFreshnessMs !== undefined) options.readFreshnessMs = readFreshnessMs
  const openRouterKey = text(env, 'OPENROUTER_API_KEY')
  if (openRouterKey !== undefined) options.openRouterKey = openRouterKey
  const chatModels = list(env, 'BENTO_CHAT_MODELS')
  const chatTimeoutMs = duration(env, 'BENTO_CHAT_TIMEOUT')
  const contextPassages = integer(env, 'BENTO_CONTEXT_PASSAGES')
  const chat = {
    ...(chatUrl ? { baseUrl: chatUrl } : {}),
    ...(chatModel ? { model: chatModel } : {}),
    ...(chatModels ? { models: chatModels } : {}),
    ...(chatTimeoutMs === undefined ? {} : { timeoutMs: chatTimeoutMs }),
    ...(contextPassages === undefined ? {} : { contextPassages }),
  }
  if (Object.keys(chat).length > 0) options.chat = chat
  const conversationTtlMs = duration(env, 'BENTO_CONVERSATION_TTL')
  if (conversationTtlMs !== undefined) options.conversationTtlMs = conversationTtlMs
  const defaultKey = text(env, 'BENTO_DEFAULT_KEY')
  if (defaultKey !== undefined) options.defaultKey = defaultKey
  const maxFile = text(env, 'BENTO_MAX_FILE_SIZE')
  const maxTextChars = integer(env, 'BENTO_MAX_TEXT_CHARS')
  if (maxFile !== undefined || maxTextChars !== undefined) {
    options.uploadLimits = { ...(maxFile === undefined ? {} : { maxFileBytes: parseByteSize(maxFile, 'BENTO_MAX_FILE_SIZE') }), ...(maxTextChars === undefined ? {} : { maxTextChars }) }
  }
  const maxJson = text(env, 'BENTO_MAX_JSON_SIZE')
  if (maxJson !== undefined) options.maxJsonBytes = parseByteSize(maxJson, 'BENTO_MAX_JSON_SIZE')
  if (client || admin) options.accessKeys = { ...(client ? { client } : {}), ...(admin ? { admin } : {}) }
  if (corsOrigin) options.cors = { origin: corsOrigin.length === 1 && corsOrigin[0] === '*' ? '*' : corsOrigin }
  if (memory !== undefined) options.memory = { enabled: memory }
  if (trustProxy !== undefined) options.trustProxy = trustProxy
  const auth = authFromEnv(env)
  if (auth !== undefined) options.auth = auth
  if (ui !== undefined) options.ui = ui
  const uploadLimits = ingestLimitsFromEnv(env)
  if (Object.keys(uploadLimits).length > 0) options.uploadLimits = { ...options.uploadLimits, ...uploadLimits }
  return options
}
