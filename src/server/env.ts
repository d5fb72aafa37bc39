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
 * `X-Forwarded-Proto`), `BENTO_UI` (off: no web page at `/`), `BENTO_AUTH` and the
 * `BENTO_JWT_*` settings (`authFromEnv`). Switches take `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`.
 *
 * Settings the caller already has from elsewhere (`bento serve`'s flags) are
 * named in `given`: their variables are neither read nor checked, so a flag
 * always wins, even over a variable that would be refused.
 */
import { envDuration, envInteger, envList, envSwitch, envText, sessionTtlFromEnv, type Env } from '../core/env.js'
import { parseDuration } from '../core/duration.js'
import { InvalidOptionsError } from '../core/errors.js'
import type { JwtAuthOptions } from './auth/options.js'
import type { BentoServerOptions } from './options.js'

export interface ServerEnvOptions {
  /** Options set by other means (command-line flags): their variables are skipped. */
  given?: Iterable<keyof BentoServerOptions>
}

/** Same bounds as `createBentoServer`'s options, checked here so the error names the variable. */
const MAX_OPEN_STORES = { min: 1, max: 100_000 }

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
export const serverOptionsFromEnv = (env: Env = process.env, envOptions: ServerEnvOptions = {}): BentoServerOptions => {
  const given = new Set<keyof BentoServerOptions>(envOptions.given ?? [])
  const wanted = (option: keyof BentoServerOptions) => !given.has(option)
  const options: BentoServerOptions = {}
  if (wanted('dataDir')) {
    const dataDir = envText(env, 'BENTO_DATA_DIR')
    if (dataDir !== undefined) options.dataDir = dataDir
  }
  if (wanted('isolation')) {
    const isolation = envText(env, 'BENTO_ISOLATION')
    if (isolation !== undefined && isolation !== 'none' && isolation !== 'session' && isolation !== 'custom') {
      throw new InvalidOptionsError(`Invalid BENTO_ISOLATION ${JSON.stringify(isolation)}: expected none, session or custom.`)
    }
    if (isolation !== undefined) options.isolation = isolation
  }
  if (wanted('sessionTtlMs')) {
    const sessionTtlMs = sessionTtlFromEnv(env)
    if (sessionTtlMs !== undefined) options.sessionTtlMs = sessionTtlMs
  }
  if (wanted('cleanupIntervalMs')) {
    const cleanupIntervalMs = envDuration(env, 'BENTO_CLEANUP_INTERVAL')
    if (cleanupIntervalMs !== undefined) options.cleanupIntervalMs = cleanupIntervalMs
  }
  if (wanted('maxOpenStores')) {
    const maxOpenStores = envInteger(env, 'BENTO_MAX_OPEN_STORES', MAX_OPEN_STORES.min)
    if (maxOpenStores !== undefined && maxOpenStores > MAX_OPEN_STORES.max) {
      throw new InvalidOptionsError(`Invalid BENTO_MAX_OPEN_STORES ${JSON.stringify(String(maxOpenStores))}: expected at most ${MAX_OPEN_STORES.max}.`)
    }
    if (maxOpenStores !== undefined) options.maxOpenStores = maxOpenStores
  }
  if (wanted('readFreshnessMs')) {
    const readFreshnessMs = envInteger(env, 'BENTO_READ_FRESHNESS')
    if (readFreshnessMs !== undefined) options.readFreshnessMs = readFreshnessMs
  }
  if (wanted('openRouterKey')) {
    const openRouterKey = envText(env, 'OPENROUTER_API_KEY')
    if (openRouterKey !== undefined) options.openRouterKey = openRouterKey
  }
  if (wanted('chat')) {
    const chatUrl = envText(env, 'BENTO_CHAT_URL')
    const chatModel = envText(env, 'BENTO_CHAT_MODEL')
    if (chatUrl !== undefined || chatModel !== undefined) options.chat = { ...(chatUrl ? { baseUrl: chatUrl } : {}), ...(chatModel ? { model: chatModel } : {}) }
  }
  if (wanted('accessKeys')) {
    const client = envList(env, 'BENTO_CLIENT_KEYS')
    const admin = envList(env, 'BENTO_ADMIN_KEYS')
    if (client || admin) options.accessKeys = { ...(client ? { client } : {}), ...(admin ? { admin } : {}) }
  }
  if (wanted('cors')) {
    const corsOrigin = envList(env, 'BENTO_CORS_ORIGIN')
    if (corsOrigin) options.cors = { origin: corsOrigin.length === 1 && corsOrigin[0] === '*' ? '*' : corsOrigin }
  }
  if (wanted('memory')) {
    const memory = envSwitch(env, 'BENTO_MEMORY')
    if (memory !== undefined) options.memory = { enabled: memory }
  }
  if (wanted('trustProxy')) {
    const trustProxy = envSwitch(env, 'BENTO_TRUST_PROXY')
    if (trustProxy !== undefined) options.trustProxy = trustProxy
  }
  if (wanted('auth')) {
    const auth = authFromEnv(env)
    if (auth !== undefined) options.auth = auth
  }
  if (wanted('ui')) {
    const ui = envSwitch(env, 'BENTO_UI')
    if (ui !== undefined) options.ui = ui
  }
  return options
}
