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
 * and `BENTO_EXTRACT_MEMORY_MB` (extraction budgets), `BENTO_AUTH` and the `BENTO_JWT_*` settings
 * (`authFromEnv`). Switches take `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`.
 */
import { parseByteSize } from '../core/byte-size.js'
import { envDuration, envInteger, envList, envSwitch, envText, extractLimitsFromEnv, sessionTtlFromEnv, type Env } from '../core/env.js'
import { parseDuration } from '../core/duration.js'
import { InvalidOptionsError } from '../core/errors.js'
import { quotaFromEnv } from '../ops/quota.js'
import type { JwtAuthOptions } from './auth/options.js'
import type { BentoServerOptions } from './options.js'

export interface ServerEnvOptions {
  /**
   * Variables whose settings were given by other means (`bento serve`'s flags):
   * they are neither read nor checked (nor their old `_MS` spellings), so a flag
   * always wins, even over a variable that would be refused.
   */
  given?: Iterable<string>
}

/** Same bounds as `createBentoServer`'s option, checked here so the error names the variable. */
const MAX_OPEN_STORES = 100_000

const withoutGiven = (env: Env, given: Iterable<string> | undefined): Env => {
  const names = [...(given ?? [])]
  if (names.length === 0) return env
  const rest = { ...env }
  for (const name of names) {
    delete rest[name]
    delete rest[`${name}_MS`]
  }
  return rest
}

/**
 * `BENTO_AUTH=jwt` with `BENTO_JWT_SECRET` (HS256) or `BENTO_JWKS` (a file or an https URL),
 * and optionally `BENTO_JWT_ISSUER`, `BENTO_JWT_AUDIENCE` (comma-separated), `BENTO_JWT_CLOCK_TOLERANCE`
 * (a duration), `BENTO_JWT_KEY_CLAIM`, `BENTO_JWT_TENANT_CLAIM`.
 */
export const authFromEnv = (env: Env): JwtAuthOptions | undefined => {
  const mode = envText(env, 'BENTO_AUTH')?.toLowerCase()
  if (mode === undefined || mode === 'none') return undefined
  if (mode !== 'jwt') throw new InvalidOptionsError(`Invalid BENTO_AUTH ${JSON.stringify(envText(env, 'BENTO_AUTH'))}: expected none or jwt.`)
  return { ...jwtSettingsFromEnv(env), type: 'jwt' }
}

/** The `BENTO_JWT_*` / `BENTO_JWKS` settings alone, for `bento serve --auth jwt`. */
export const jwtSettingsFromEnv = (env: Env): Partial<JwtAuthOptions> => {
  const auth: Partial<JwtAuthOptions> = {}
  const secret = env.BENTO_JWT_SECRET
  if (secret !== undefined && secret !== '') auth.secret = secret
  const jwks = envText(env, 'BENTO_JWKS')
  if (jwks !== undefined) auth.jwks = jwks
  const issuer = envList(env, 'BENTO_JWT_ISSUER')
  if (issuer) auth.issuer = issuer.length === 1 ? issuer[0]! : issuer
  const audience = envList(env, 'BENTO_JWT_AUDIENCE')
  if (audience) auth.audience = audience.length === 1 ? audience[0]! : audience
  const clock = envText(env, 'BENTO_JWT_CLOCK_TOLERANCE')
  if (clock !== undefined) auth.clockToleranceMs = clock === '0' ? 0 : parseDuration(clock, 'BENTO_JWT_CLOCK_TOLERANCE')
  const keyClaim = envText(env, 'BENTO_JWT_KEY_CLAIM')
  if (keyClaim !== undefined) auth.keyClaim = keyClaim
  const tenantClaim = envText(env, 'BENTO_JWT_TENANT_CLAIM')
  if (tenantClaim !== undefined) auth.tenantClaim = tenantClaim
  return auth
}

/**
 * @example
 * const server = createBentoServer({ ...serverOptionsFromEnv(process.env), logger: false })
 */
export const serverOptionsFromEnv = (allEnv: Env = process.env, envOptions: ServerEnvOptions = {}): BentoServerOptions => {
  const env = withoutGiven(allEnv, envOptions.given)
  const isolation = envText(env, 'BENTO_ISOLATION')
  if (isolation !== undefined && isolation !== 'none' && isolation !== 'session' && isolation !== 'custom') {
    throw new InvalidOptionsError(`Invalid BENTO_ISOLATION ${JSON.stringify(isolation)}: expected none, session or custom.`)
  }
  const client = envList(env, 'BENTO_CLIENT_KEYS')
  const admin = envList(env, 'BENTO_ADMIN_KEYS')
  const chatUrl = envText(env, 'BENTO_CHAT_URL')
  const chatModel = envText(env, 'BENTO_CHAT_MODEL')
  const corsOrigin = envList(env, 'BENTO_CORS_ORIGIN')
  const memory = envSwitch(env, 'BENTO_MEMORY')
  const trustProxy = envSwitch(env, 'BENTO_TRUST_PROXY')
  const ui = envSwitch(env, 'BENTO_UI')
  const options: BentoServerOptions = {}
  const dataDir = envText(env, 'BENTO_DATA_DIR')
  if (dataDir !== undefined) options.dataDir = dataDir
  if (isolation !== undefined) options.isolation = isolation
  const sessionTtlMs = sessionTtlFromEnv(env)
  if (sessionTtlMs !== undefined) options.sessionTtlMs = sessionTtlMs
  const cleanupIntervalMs = envDuration(env, 'BENTO_CLEANUP_INTERVAL')
  if (cleanupIntervalMs !== undefined) options.cleanupIntervalMs = cleanupIntervalMs
  const maxOpenStores = envInteger(env, 'BENTO_MAX_OPEN_STORES', 1)
  if (maxOpenStores !== undefined && maxOpenStores > MAX_OPEN_STORES) {
    throw new InvalidOptionsError(`Invalid BENTO_MAX_OPEN_STORES ${JSON.stringify(String(maxOpenStores))}: expected at most ${MAX_OPEN_STORES}.`)
  }
  if (maxOpenStores !== undefined) options.maxOpenStores = maxOpenStores
  const maxStoreMemory = envText(env, 'BENTO_MAX_STORE_MEMORY')
  if (maxStoreMemory !== undefined) options.maxStoreMemory = parseByteSize(maxStoreMemory, 'BENTO_MAX_STORE_MEMORY')
  const readFreshnessMs = envInteger(env, 'BENTO_READ_FRESHNESS')
  if (readFreshnessMs !== undefined) options.readFreshnessMs = readFreshnessMs
  const openRouterKey = envText(env, 'OPENROUTER_API_KEY')
  if (openRouterKey !== undefined) options.openRouterKey = openRouterKey
  const chatModels = envList(env, 'BENTO_CHAT_MODELS')
  const chatTimeoutMs = envDuration(env, 'BENTO_CHAT_TIMEOUT')
  const contextPassages = envInteger(env, 'BENTO_CONTEXT_PASSAGES')
  const chat = {
    ...(chatUrl ? { baseUrl: chatUrl } : {}),
    ...(chatModel ? { model: chatModel } : {}),
    ...(chatModels ? { models: chatModels } : {}),
    ...(chatTimeoutMs === undefined ? {} : { timeoutMs: chatTimeoutMs }),
    ...(contextPassages === undefined ? {} : { contextPassages }),
  }
  if (Object.keys(chat).length > 0) options.chat = chat
  const conversationTtlMs = envDuration(env, 'BENTO_CONVERSATION_TTL')
  if (conversationTtlMs !== undefined) options.conversationTtlMs = conversationTtlMs
  const defaultKey = envText(env, 'BENTO_DEFAULT_KEY')
  if (defaultKey !== undefined) options.defaultKey = defaultKey
  const maxFile = envText(env, 'BENTO_MAX_FILE_SIZE')
  const maxTextChars = envInteger(env, 'BENTO_MAX_TEXT_CHARS')
  if (maxFile !== undefined || maxTextChars !== undefined) {
    options.uploadLimits = { ...(maxFile === undefined ? {} : { maxFileBytes: parseByteSize(maxFile, 'BENTO_MAX_FILE_SIZE') }), ...(maxTextChars === undefined ? {} : { maxTextChars }) }
  }
  const maxJson = envText(env, 'BENTO_MAX_JSON_SIZE')
  if (maxJson !== undefined) options.maxJsonBytes = parseByteSize(maxJson, 'BENTO_MAX_JSON_SIZE')
  if (client || admin) options.accessKeys = { ...(client ? { client } : {}), ...(admin ? { admin } : {}) }
  if (corsOrigin) options.cors = { origin: corsOrigin.length === 1 && corsOrigin[0] === '*' ? '*' : corsOrigin }
  if (memory !== undefined) options.memory = { enabled: memory }
  if (trustProxy !== undefined) options.trustProxy = trustProxy
  const auth = authFromEnv(env)
  if (auth !== undefined) options.auth = auth
  if (ui !== undefined) options.ui = ui
  const uploadLimits = extractLimitsFromEnv(env)
  if (Object.keys(uploadLimits).length > 0) options.uploadLimits = { ...options.uploadLimits, ...uploadLimits }
  const rateLimit = rateLimitFromEnv(env)
  if (rateLimit !== undefined) options.rateLimit = rateLimit
  const quota = quotaFromEnv(env)
  if (quota !== undefined) options.quota = quota
  return options
}

/** `BENTO_RATE_LIMIT_SCOPE` and `BENTO_RATE_LIMIT_ACCESS_KEY` (requests per minute), `BENTO_RATE_LIMIT_BURST`. */
const rateLimitFromEnv = (env: Env): BentoServerOptions['rateLimit'] => {
  const scope = envInteger(env, 'BENTO_RATE_LIMIT_SCOPE', 1)
  const accessKey = envInteger(env, 'BENTO_RATE_LIMIT_ACCESS_KEY', 1)
  const burst = envInteger(env, 'BENTO_RATE_LIMIT_BURST', 1)
  const rule = (perMinute: number | undefined) => (perMinute === undefined ? undefined : { requestsPerMinute: perMinute, ...(burst === undefined ? {} : { burst }) })
  if (scope === undefined && accessKey === undefined) return undefined
  return { ...(scope === undefined ? {} : { scope: rule(scope)! }), ...(accessKey === undefined ? {} : { accessKey: rule(accessKey)! }) }
}
