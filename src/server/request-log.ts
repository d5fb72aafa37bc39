/**
 * One structured log line per request: method, route pattern, status, duration
 * and a scope hash. Threat: isolation keys and session ids in logs (the seed's
 * security note) — the raw path, headers and keys are never logged; a route is
 * logged as its pattern (`/v1/sessions/:id`) and a scope as a truncated SHA-256.
 * Test: test/server/request-log.test.ts.
 */
import { createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { Logger } from 'pino'
import type { Scope } from '../core/keys.js'
import type { BentoEnv } from './context.js'

export const hashScope = (scope: Scope): string =>
  createHash('sha256').update(`bento-scope:${scope.kind}:${scope.dir}`).digest('hex').slice(0, 12)

export const requestLog = (logger: Logger | undefined): MiddlewareHandler<BentoEnv> =>
  async function requestLog(c, next) {
    const state = {}
    c.set('bentoState', state)
    const started = performance.now()
    try {
      await next()
    } finally {
      if (logger) {
        const { scope, route } = c.get('bentoState')
        const outerRoute = routePath(c, -1)
        logger.info({
          method: c.req.method,
          route: route ?? (outerRoute && outerRoute !== '*' ? outerRoute : '(none)'),
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          ...(scope ? { scope: hashScope(scope), kind: scope.kind } : {}),
        }, 'request')
      }
    }
  }
