/**
 * `createBentoServer`: Bento's HTTP API on Hono.
 *
 * Middleware order, the seed's main bug: the seed registered its routes before
 * the operator's `server.getApp().use('*', …)`, so that middleware never ran
 * for them and the client chose the key. Here `getApp()` is an outer app that
 * holds no Bento route: Bento's app is its not-found handler, which Hono runs
 * after every matching middleware — including middleware added after creation.
 * Test: test/server/seed-examples.test.ts.
 */
import type { AddressInfo } from 'node:net'
import { Hono, type Context } from 'hono'
import { routePath } from 'hono/route'
import { serve, type ServerType } from '@hono/node-server'
import pino, { type Logger } from 'pino'
import { createFsBackend } from '../core/backend/index.js'
import type { StorageBackend } from '../core/backend/types.js'
import { embedderFromEnv } from '../core/embeddings/index.js'
import { ConflictError, toBentoError } from '../core/errors.js'
import { SESSION_EXPIRED_HEADER, SESSION_HEADER } from '../middleware/isolation.js'
import { cleanupSessions } from './cleanup-sessions.js'
import { recoverPendingOperations } from '../ops/recover.js'
import { createAccessChecker } from './access-keys.js'
import { createJwtVerifier } from './auth/index.js'
import { BRIDGE, createBentoApp, type BridgeEnv } from './bento-app.js'
import { createChatUpstream } from './chat/upstream.js'
import { corsHeaders } from './cors.js'
import { bindConfigBackend, unbindConfigBackend } from './config-registry.js'
import type { BentoEnv } from './context.js'
import type { ServerDeps } from './deps.js'
import { errorResponse } from './errors.js'
import { parseServerOptions, resolveServerConfig, type BentoServerConfig, type BentoServerOptions } from './options.js'
import { loadIngest } from './ingest-loader.js'
import { rememberNodeRequest, unreadNodeBody } from './node-request.js'
import { logRequestError, redactingLogger } from './log.js'
import { requestLog } from './request-log.js'

export interface StartOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number
  /** Default `127.0.0.1`: reachable from this machine only unless told otherwise. */
  hostname?: string
}

export interface ListeningAddress {
  port: number
  hostname: string
  url: string
}

export interface BentoServer {
  /** The Hono app to serve or to extend: middleware added here runs before Bento's routes. */
  getApp(): Hono<BentoEnv>
  /**
   * First completes any migrate or cleanup a crashed process left journaled
   * (else its scopes answer 503 until some CLI command runs), then listens on
   * `hostname:port` and resolves with the bound address. A recovery that fails
   * is logged and does not stop the start: only the scopes it names stay busy.
   */
  start(options?: StartOptions): Promise<ListeningAddress>
  /** Stops listening, flushes activity and closes every open store. Safe to call twice. */
  stop(): Promise<void>
  /** The resolved options, without secrets; pass it to `cleanupSessions`. */
  readonly config: BentoServerConfig
  readonly backend: StorageBackend
}

const BENTO_PATH = /^\/(?:api|v1)(?:\/|$)/
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const SHUTDOWN_GRACE_MS = 5000

/**
 * A request Bento can read even when operator middleware already consumed the body.
 * An unread Node body is passed as is: asking `bodyUsed` would build the web body it avoids.
 */
const forwardable = async (c: Context, request: Request): Promise<Request> =>
  request === c.req.raw && unreadNodeBody(request) === undefined && request.bodyUsed ? new Request(request, { body: await c.req.arrayBuffer() }) : request

/**
 * @example
 * const server = createBentoServer({ isolation: 'custom', openRouterKey: process.env.OPENROUTER_API_KEY })
 * server.getApp().use('*', async (c, next) => {
 *   c.set('isolationKey', await getUserFromToken(c.req.header('Authorization')))
 *   await next()
 * })
 * const { url } = await server.start({ port: 3000 })
 */
export const createBentoServer = (options: BentoServerOptions = {}): BentoServer => {
  const parsed = parseServerOptions(options)
  const config = resolveServerConfig(parsed)
  const logger: Logger | undefined = parsed.logger === false ? undefined : redactingLogger(parsed.logger ?? pino({ name: 'bento' }, pino.destination(2)))
  const backend = parsed.backend ?? createFsBackend({
    dataDir: config.dataDir,
    // The same default as the CLI (BENTO_EMBEDDER…), so both open the stores with one embedder.
    embedder: parsed.embedder ?? embedderFromEnv(process.env),
    maxOpenStores: config.maxOpenStores,
    maxStoreMemory: config.maxStoreMemory,
    readFreshnessMs: config.readFreshnessMs,
    ...(parsed.now ? { now: parsed.now } : {}),
  })
  const now = parsed.now ?? Date.now
  bindConfigBackend(config, { backend, now })
  const deps: ServerDeps = {
    backend,
    config,
    logger,
    now,
    // With verified identity, Authorization carries the token: access keys only in their own headers.
    access: createAccessChecker(parsed.accessKeys, { bearer: parsed.auth === undefined }),
    auth: parsed.auth === undefined ? undefined : createJwtVerifier(parsed.auth),
    // A key, or an endpoint named explicitly (a keyless local OpenAI-compatible server), enables the model.
    upstream: config.chat.llm
      ? createChatUpstream({ baseUrl: config.chat.baseUrl, timeoutMs: config.chat.timeoutMs, ...(parsed.openRouterKey === undefined ? {} : { apiKey: parsed.openRouterKey }) })
      : undefined,
  }
  const bento = createBentoApp(deps)

  const dispatch = async (c: Context<BentoEnv>, request: Request): Promise<Response> => {
    const env: BridgeEnv = {
      ...(c.env as Record<string, unknown> | undefined),
      [BRIDGE]: {
        hasIsolationKey: Object.hasOwn(c.var, 'isolationKey'),
        isolationKey: c.get('isolationKey'),
        hasReadScopes: Object.hasOwn(c.var, 'readScopes'),
        readScopes: c.get('readScopes'),
        state: c.get('bentoState'),
      },
    }
    return bento.fetch(await forwardable(c, request), env)
  }

  const app = new Hono<BentoEnv>()
  // The operator's own middleware runs in this app: what it throws is logged here, once, like Bento's own 5xx.
  app.onError((error, c) => {
    const response = errorResponse(c, error)
    if (response.status >= 500) logRequestError(logger, c, error, { status: response.status, route: routePath(c, -1) }, 'unhandled error in the application\'s middleware or routes')
    return response
  })
  app.use('*', rememberNodeRequest)
  app.use('*', requestLog(logger))
  if (parsed.cors !== false) {
    const origin = parsed.cors?.origin ?? '*'
    app.use('*', corsHeaders({ origin, exposeHeaders: [SESSION_HEADER, SESSION_EXPIRED_HEADER, 'Retry-After'] }))
  }
  // "Sharing Documents Between Users": a handler that sets isolationKey and redirects to a Bento
  // route is served that route in the same request, so the override is not lost to a new request.
  // 301-303 become a GET (as a browser follows them); 307/308 keep the method and the body, so a
  // redirect to POST /api/documents/search searches the redirected scope, never the caller's own.
  app.use('*', async function serveRedirectWithOverride(c, next) {
    await next()
    const status = c.res.status
    if (!REDIRECTS.has(status) || !Object.hasOwn(c.var, 'isolationKey')) return
    const location = c.res.headers.get('location')
    if (location === null) return
    const target = new URL(location, c.req.url)
    if (target.origin !== new URL(c.req.url).origin || !BENTO_PATH.test(target.pathname)) return
    const keepMethod = status === 307 || status === 308
    const method = keepMethod ? c.req.method : 'GET'
    const body = keepMethod && method !== 'GET' && method !== 'HEAD' ? await c.req.arrayBuffer() : undefined
    const response = await dispatch(c, new Request(target, { method, headers: c.req.raw.headers, ...(body === undefined ? {} : { body }) }))
    c.res = undefined
    c.res = response
  })
  app.notFound((c) => dispatch(c, c.req.raw))

  let listener: ServerType | undefined
  let sweeper: NodeJS.Timeout | undefined
  let stopping: Promise<void> | undefined
  let starting: Promise<ListeningAddress> | undefined

  // Log and continue rather than refuse to start: one unfinishable intent would
  // otherwise take every scope offline, while it only keeps its own scopes busy.
  const sweepSessions = async (): Promise<void> => {
    const result = await cleanupSessions(config, { now })
    if (result.error) logger?.warn({ err: result.error }, 'session cleanup failed')
    else if (result.removed.length > 0) logger?.info({ removed: result.removed.length, freedBytes: result.freedBytes }, 'expired sessions removed')
    // Which sessions is not logged (their ids are keys): `bento cleanup --dry-run` lists them.
    const refused = result.skipped.filter((row) => row.code === 'unsafe_path').length
    if (refused > 0) logger?.warn({ refused }, 'expired sessions left alone: a link was planted in them (bento cleanup --dry-run lists them); the others were removed')
  }

  const recoverOnStart = async (): Promise<void> => {
    try {
      const report = await recoverPendingOperations(backend)
      if (report.completed.length > 0) logger?.info({ completed: report.completed }, 'finished operations a crashed process left')
      for (const pending of report.pending) {
        logger?.warn(pending, 'an interrupted operation is not finished; its scopes answer 503 until a later command completes it')
      }
    } catch (error) {
      logger?.error({ err: toBentoError(error, 'Recovering interrupted operations') }, 'startup recovery failed; serving anyway')
    }
  }

  const start = (startOptions: StartOptions = {}): Promise<ListeningAddress> => {
    if (stopping) return Promise.reject(new ConflictError('This Bento server was stopped; create a new one.'))
    if (listener || starting) return Promise.reject(new ConflictError('This Bento server is already listening.'))
    // Sessions that expired while the server was down are swept before the first request.
    const started = recoverOnStart().then(() => (config.isolation === 'session' ? sweepSessions() : undefined)).then(() => {
      if (stopping) throw new ConflictError('This Bento server was stopped while starting.')
      return listen(startOptions)
    })
    starting = started
    // A failed start (a taken port) may be retried.
    started.catch(() => undefined).finally(() => {
      if (starting === started) starting = undefined
    })
    return started
  }

  const listen = (startOptions: StartOptions): Promise<ListeningAddress> => {
    const hostname = startOptions.hostname ?? '127.0.0.1'
    return new Promise((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port: startOptions.port ?? 3000, hostname }, (info: AddressInfo) => {
        server.off('error', reject)
        void loadIngest().then((ingest) => ingest.warmExtractWorkers(config.uploadLimits)).catch(() => {})
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
        resolve({ port: info.port, hostname: info.address, url: `http://${host}:${info.port}` })
      })
      server.once('error', (error) => {
        listener = undefined
        reject(toBentoError(error, `Listening on ${hostname}:${startOptions.port ?? 3000}`))
      })
      listener = server
      if (config.isolation === 'session') {
        sweeper = setInterval(() => void sweepSessions(), config.cleanupIntervalMs)
        sweeper.unref()
      }
    })
  }

  const closeListener = async (server: ServerType): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    const http = server as Partial<import('node:http').Server>
    http.closeIdleConnections?.()
    const force = setTimeout(() => http.closeAllConnections?.(), SHUTDOWN_GRACE_MS)
    await closed
    clearTimeout(force)
  }

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (sweeper) clearInterval(sweeper)
      if (listener) await closeListener(listener)
      listener = undefined
      unbindConfigBackend(config)
      await backend.close()
    })()
    return stopping
  }

  return { getApp: () => app, start, stop, config, backend }
}
