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

const HASH_CACHE_SIZE = 4096
const hashes = new Map<string, string>()

/** Cached: a scope's hash is asked for on every request it makes; bounded, cleared when full. */
export const hashScope = (scope: Scope): string => {
  const id = `bento-scope:${scope.kind}:${scope.dir}`
  let hash = hashes.get(id)
  if (hash === undefined) {
    hash = createHash('sha256').update(id).digest('hex').slice(0, 12)
    if (hashes.size >= HASH_CACHE_SIZE) hashes.clear()
    hashes.set(id, hash)
  }
  return hash
}

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
