/**
 * Bento's own routes as one Hono app. It is never what `getApp()` returns: the
 * outer app (see `create-server.ts`) dispatches to it as its final handler, so
 * middleware an operator adds to the outer app after creation still runs first
 * and its `c.set('isolationKey', …)` reaches this app through the bridge.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { AuthUnavailableError, MethodNotAllowedError } from '../core/errors.js'
import { routePath } from 'hono/route'
import { isolation } from '../middleware/isolation.js'
import { jwtAuth } from './auth/index.js'
import { declaredLengthLimit } from './body.js'
import type { BentoEnv, RequestState } from './context.js'
import type { ServerDeps } from './deps.js'
import { errorResponse, notFoundResponse } from './errors.js'
import { logRequestError } from './log.js'
import { buildOpenApiDocument } from './openapi.js'
import { adminRoutes } from './routes/admin.js'
import { chatRoutes, modelRoutes } from './routes/chat.js'
import { muxiChatIdentity, muxiChatRoutes } from './routes/muxi-chat.js'
import { conversationRoutes } from './routes/conversations.js'
import { documentRoutes } from './routes/documents.js'
import { documentReadRoutes } from './routes/document-read.js'
import { documentUploadRoutes } from './routes/document-upload.js'
import { healthRoutes } from './routes/health.js'
import { memoryRoutes } from './routes/memories.js'
import { accessKeyRateLimit, scopeRateLimit } from './rate-limit.js'
import { resolveReadScopes } from './read-scopes.js'
import { webUiRoutes } from './web-ui.js'

/** What the outer app hands over with each request. */
export interface BridgeValue {
  /** True when the operator's middleware called `c.set('isolationKey', …)`, even with undefined. */
  hasIsolationKey: boolean
  isolationKey: unknown
  /** True when the operator's middleware called `c.set('readScopes', …)`. */
  hasReadScopes: boolean
  readScopes: unknown
  state: RequestState
}

export const BRIDGE = Symbol('bento.bridge')
export type BridgeEnv = Record<string | symbol, unknown> & { [BRIDGE]?: BridgeValue }

/** Routes that read or write a scope's data: access key, then isolation, then activity. */
// '/api/documents/*' also matches '/api/documents' in Hono: listing both would resolve the scope twice.
const DATA_PATHS = ['/api/documents/*', '/api/chat', '/api/chat/stream', '/v1/*'] as const
const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']
/**
 * Where JSON bodies arrive. Search is POST only: a DELETE middleware on its path beside the
 * `DELETE /api/documents/:id` route is a pair Hono's RegExpRouter cannot order, and the whole
 * app then falls back to the TrieRouter (slower per request; bench/FINDINGS.md).
 */
const JSON_ROUTES: ReadonlyArray<readonly [methods: string[], path: string]> = [
  [['POST'], '/api/documents/search'],
  [BODY_METHODS, '/api/chat'],
  [BODY_METHODS, '/api/chat/stream'],
  [BODY_METHODS, '/v1/*'],
  [BODY_METHODS, '/api/admin/*'],
]

const STATIC_PATHS = new Set(['/api/documents/list'])

const bridge: MiddlewareHandler<BentoEnv> = async function bridge(c, next) {
  const value = (c.env as BridgeEnv | undefined)?.[BRIDGE]
  c.set('bentoState', value?.state ?? {})
  if (value?.hasIsolationKey) c.set('isolationKey', value.isolationKey)
  if (value?.hasReadScopes) c.set('readScopes', value.readScopes)
  await next()
  const state = c.get('bentoState')
  // A static path served by a parameter route (see routes/document-read.ts) is logged as itself.
  state.route ??= (STATIC_PATHS.has(c.req.path) ? c.req.path : routePath(c, -1)) || undefined
}

/** Records activity so a live session does not expire; a scope that was never written stays absent on disk. */
const touchActivity = (deps: ServerDeps): MiddlewareHandler<BentoEnv> =>
  async function touchActivity(c, next) {
    await next()
    const state = c.get('bentoState')
    if (state.scope === undefined || c.res.status >= 400) return
    if (state.wrote || (await deps.backend.scopeExists(state.scope))) deps.backend.touch(state.scope)
  }

/**
 * The methods each route path serves, for 405 + Allow on a known path asked with another
 * method. Middleware (`use`, wildcard paths) is not a route.
 */
const routeMethods = (app: Hono<BentoEnv>, middleware: ReadonlySet<unknown>): ((path: string) => string[]) => {
  const table = new Map<string, { pattern: RegExp; methods: Set<string> }>()
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.includes('*') || middleware.has(route.handler)) continue
    const entry = table.get(route.path) ?? { pattern: new RegExp(`^${route.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`), methods: new Set<string>() }
    entry.methods.add(route.method)
    if (route.method === 'GET') entry.methods.add('HEAD')
    table.set(route.path, entry)
  }
  return (path) => {
    const allowed = new Set<string>()
    for (const { pattern, methods } of table.values()) if (pattern.test(path)) for (const method of methods) allowed.add(method)
    return [...allowed]
  }
}

export const createBentoApp = (deps: ServerDeps): Hono<BentoEnv> => {
  const app = new Hono<BentoEnv>()
  app.onError((error, c) => {
    const response = errorResponse(c, error)
    // Every 5xx reaches the log once, with its cause (an upstream's body and URL go there, not to the client).
    if (response.status >= 500 || response.status === 429) {
      const message = error instanceof AuthUnavailableError ? 'token keys cannot be fetched; refusing requests'
        : error instanceof Error && 'code' in error ? 'request failed upstream or in the server' : 'unhandled error'
      logRequestError(deps.logger, c, error, { status: response.status, route: routePath(c, -1) }, message, response.status >= 500 ? 'error' : 'warn')
    }
    return response
  })
  let methodsOf: ((path: string) => string[]) | undefined
  app.notFound((c) => {
    const allow = (methodsOf ??= routeMethods(app, new Set([jsonLimit])))(c.req.path)
    if (allow.length > 0 && !allow.includes(c.req.method)) {
      return errorResponse(c, new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path}; use ${allow.join(' or ')}.`, allow))
    }
    return notFoundResponse(c)
  })
  app.use('*', bridge)

  const jsonLimit = declaredLengthLimit(deps.config.maxJsonBytes)
  for (const [methods, path] of JSON_ROUTES) app.on(methods, path, jsonLimit)

  const requireClient = deps.access.require('client')
  const verifyIdentity: MiddlewareHandler<BentoEnv>[] = deps.auth ? [jwtAuth(deps.auth)] : []
  const resolveScope = isolation({
    identity: deps.auth ? 'verified' : 'header',
    ...(deps.config.defaultKey === undefined ? {} : { defaultKey: deps.config.defaultKey }),
    mode: deps.config.isolation,
    backend: deps.backend,
    sessionTtlMs: deps.config.sessionTtlMs,
    trustProxy: deps.config.trustProxy,
    now: deps.now,
  })
  // POST /v1/chat reads its body before isolation (its user_id may name the scope); the shared
  // chain below then finds the scope and identity set and does not resolve them again.
  app.post('/v1/chat', requireClient, ...verifyIdentity, muxiChatIdentity(deps), resolveScope)
  // Rate limits (off by default): per access key right after the key is checked, per scope once it is resolved.
  const { rateLimit } = deps.config
  const perKey: MiddlewareHandler<BentoEnv>[] = rateLimit.accessKey && deps.access.enabled ? [accessKeyRateLimit(rateLimit.accessKey, deps.now, deps.config.auth === 'none')] : []
  const perScope: MiddlewareHandler<BentoEnv>[] = rateLimit.scope ? [scopeRateLimit(rateLimit.scope, deps.now)] : []
  for (const path of DATA_PATHS) app.use(path, requireClient, ...perKey, ...verifyIdentity, resolveScope, resolveReadScopes, ...perScope, touchActivity(deps))
  app.use('/api/chat/models', requireClient, ...perKey, ...verifyIdentity)
  app.use('/api/admin/*', deps.access.require('admin'), ...perKey)

  app.route('/', healthRoutes(deps))
  app.route('/', modelRoutes(deps))
  app.route('/', documentRoutes(deps))
  app.route('/', documentUploadRoutes(deps))
  app.route('/', documentReadRoutes(deps))
  app.route('/', chatRoutes(deps))
  app.route('/', muxiChatRoutes(deps))
  app.route('/', conversationRoutes(deps))
  app.route('/', memoryRoutes(deps))
  app.route('/', adminRoutes(deps))
  if (deps.config.ui) app.route('/', webUiRoutes(deps))
  // Last, so the document describes every route above; built at the first request. Middleware
  // registered on exact paths (the JSON body limit on PUT /api/chat …) serves nothing: left out.
  let openApi: Record<string, unknown> | undefined
  const servedRoutes = () => {
    const middleware = new Set(app.routes.filter((route) => route.method === 'ALL' || route.path.includes('*')).map((route) => route.handler))
    return app.routes.filter((route) => route.method !== 'ALL' && !middleware.has(route.handler))
  }
  app.get('/api/openapi.json', (c) => c.json(openApi ??= buildOpenApiDocument(servedRoutes(), '1.0.0')))
  return app
}
