/**
 * The isolation middleware (public entry `bento-core/middleware/isolation`):
 * resolves the request's `Scope` once and sets it on the context. Route
 * handlers read `c.get('scope')` and never an isolation header.
 *
 * - `none`: always the shared scope.
 * - `session`: the `x-session-id` header or the `bento_session` cookie (32 hex or
 *   a UUID). Missing, malformed or expired ids get a fresh 128-bit id, returned
 *   in the `x-session-id` response header and the cookie (`Secure` on https, or
 *   behind a TLS-terminating proxy with `trustProxy`). An `isolationKey` set
 *   by the operator's middleware wins.
 * - `custom`: `isolationKey` from the context, else the `x-isolation-key` header
 *   (alias `x-muxi-user-id`). When the operator's middleware has set
 *   `isolationKey` at all — even to undefined — the headers are ignored, so a
 *   client can never pick the key. No key: 401; an invalid key: 400.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { InvalidInputError, InvalidKeyError, UnauthorizedError } from '../core/errors.js'
import { customScope, isSessionId, sessionScope, sharedScope, type Scope } from '../core/keys.js'
import { createSessionId, DEFAULT_SESSION_TTL_MS } from '../core/sessions.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { BentoEnv } from '../server/context.js'

export type IsolationMode = 'none' | 'session' | 'custom'

export const SESSION_HEADER = 'x-session-id'
export const SESSION_COOKIE = 'bento_session'
/** `true` on the answer to a request that presented an expired session id (beside the new `x-session-id`). */
export const SESSION_EXPIRED_HEADER = 'x-session-expired'
export const ISOLATION_KEY_HEADER = 'x-isolation-key'
export const MUXI_USER_HEADER = 'x-muxi-user-id'
export const FORWARDED_PROTO_HEADER = 'x-forwarded-proto'
export { DEFAULT_SESSION_TTL_MS }
// The seed imports cleanupSessions from this path; it is the server's job and lives there.
export { cleanupSessions, type CleanupSessionsConfig, type CleanupSessionsResult } from '../server/cleanup-sessions.js'

export interface IsolationOptions {
  mode: IsolationMode
  /** Used in session mode to treat ids idle longer than `sessionTtlMs` as expired. */
  backend?: StorageBackend
  /** Default 24 h. */
  sessionTtlMs?: number
  /**
   * Behind a TLS-terminating proxy the request URL is http: trust its
   * `X-Forwarded-Proto` to mark the session cookie `Secure`. Default false.
   */
  trustProxy?: boolean
  /** The clock expiry is judged by, in ms since the epoch. Default `Date.now` (tests inject one). */
  now?: () => number
  /**
   * Custom mode: where the key comes from when no operator middleware set one.
   * `header` (default): `x-isolation-key` / `X-Muxi-User-Id`, chosen by the caller.
   * `verified`: only the identity a verified token set (`c.get('identity')`); headers are ignored.
   */
  identity?: 'header' | 'verified'
  /**
   * Custom mode with header identity: the key of a request that names no user (the MUXI
   * page's single-user default `"0"`). Default none: such a request is 401.
   */
  defaultKey?: string
}

const hasContextKey = (c: Context): boolean => Object.hasOwn(c.var as object, 'isolationKey')

const contextKey = (c: Context): string | undefined => {
  const value: unknown = c.get('isolationKey')
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new InvalidKeyError(`The isolationKey set by middleware must be a string, not ${typeof value}.`)
  return value
}

const verifiedKey = (c: Context): string | undefined => (c.var as { identity?: { key: string } }).identity?.key

const resolveCustomScope = (c: Context, options: IsolationOptions): Scope => {
  if (options.identity === 'verified') {
    // Threat: a caller choosing another user's key with a header. Only the verified token (or the operator) decides.
    const key = hasContextKey(c) ? contextKey(c) : verifiedKey(c)
    if (key === undefined) throw new UnauthorizedError('No verified identity: send Authorization: Bearer <JWT>.')
    return customScope(key)
  }
  let key = hasContextKey(c) ? contextKey(c) : (c.req.header(ISOLATION_KEY_HEADER) || c.req.header(MUXI_USER_HEADER))
  if ((key === undefined || key === '') && !hasContextKey(c)) key = options.defaultKey
  if (key === undefined || key === '') {
    throw new UnauthorizedError(`No isolation key: this server isolates users; send the ${ISOLATION_KEY_HEADER} header or set isolationKey in your middleware.`)
  }
  return customScope(key)
}

/**
 * Threat: an expired session revived. An id idle past the TTL, or one already retired
 * (its scope swept, perhaps before a restart), is expired for good: it is retired here so
 * it stays refused after the sweep removes its data. Test: test/server/session-expiry.test.ts.
 */
const isExpired = async (scope: Scope, options: IsolationOptions): Promise<boolean> => {
  const backend = options.backend
  if (backend === undefined) return false
  const lastActive = await backend.lastActiveAt(scope)
  if (lastActive === undefined) return backend.isSessionRetired(scope)
  if ((options.now ?? Date.now)() - lastActive.getTime() <= (options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS)) return false
  await backend.retireSession(scope)
  return true
}

/**
 * Threat: a client flipping the cookie's attributes with a header of its own. The
 * forwarded protocol counts only when the operator says a proxy sets it, and then
 * its first value (the one the client's hop reached the first proxy with).
 * Test: test/server/isolation.test.ts "trustProxy".
 */
const isHttps = (c: Context, trustProxy: boolean): boolean => {
  if (c.req.url.startsWith('https:')) return true
  if (!trustProxy) return false
  const forwarded = c.req.header(FORWARDED_PROTO_HEADER)
  return forwarded !== undefined && forwarded.split(',')[0]!.trim().toLowerCase() === 'https'
}

const resolveSessionScope = async (c: Context, options: IsolationOptions): Promise<Scope> => {
  const operatorKey = hasContextKey(c) ? contextKey(c) : undefined
  if (operatorKey !== undefined) return customScope(operatorKey)
  const cookie = getCookie(c, SESSION_COOKIE)
  const presented = c.req.header(SESSION_HEADER) ?? cookie
  let scope = presented !== undefined && isSessionId(presented) ? sessionScope(presented) : undefined
  if (scope !== undefined && (await isExpired(scope, options))) {
    scope = undefined
    c.header(SESSION_EXPIRED_HEADER, 'true')
  }
  scope ??= sessionScope(createSessionId())
  c.header(SESSION_HEADER, scope.key)
  if (cookie !== scope.key) {
    setCookie(c, SESSION_COOKIE, scope.key, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c, options.trustProxy ?? false) })
  }
  return scope
}

/**
 * Threat: a client of a shared server believing it is isolated. In `none` mode a request that
 * names a user (`X-Muxi-User-Id: user_999`) would silently read everyone's shared data, its
 * conversations marked `shared`; it gets a 400 saying so instead. Test: test/server/muxi.test.ts.
 */
const refuseUserHeaders = (c: Context): void => {
  const sent = [ISOLATION_KEY_HEADER, MUXI_USER_HEADER].find((name) => c.req.header(name) !== undefined)
  if (sent !== undefined) {
    throw new InvalidInputError(`This server does not isolate users (isolation none): every caller shares one scope, so the ${sent} header would be ignored. Remove it, or start the server with --isolation custom.`)
  }
}

/** The scope of this request under `options.mode`; throws `UnauthorizedError` or `InvalidKeyError`. */
export const resolveScope = async (c: Context, options: IsolationOptions): Promise<Scope> => {
  if (options.mode === 'none') {
    if (options.identity !== 'verified') refuseUserHeaders(c)
    return sharedScope()
  }
  if (options.mode === 'custom') return resolveCustomScope(c, options)
  return resolveSessionScope(c, options)
}

/**
 * Resolves the scope once per request and sets `c.get('scope')`.
 *
 * @example
 * app.use('/api/documents/*', isolation({ mode: 'custom' }))
 * app.get('/api/documents/list', (c) => c.json({ scope: c.get('scope').kind }))
 */
export const isolation = (options: IsolationOptions): MiddlewareHandler<BentoEnv> =>
  async function isolation(c, next) {
    // Resolved once: a route with its own chain before the shared one (POST /v1/chat) is not resolved twice.
    if (c.var.scope !== undefined) return next()
    const scope = await resolveScope(c, options)
    c.set('scope', scope)
    const state = c.get('bentoState')
    if (state) state.scope = scope
    await next()
  }
