/**
 * CORS for the outer app: Hono's `cors` answers preflights; on every other
 * request the same headers are set on the final response after it is built.
 *
 * Why not Hono's `cors` for both: it sets its headers on `c.res` before
 * `next()`, which makes Hono create a placeholder response and then rebuild
 * the real one to merge them (a full undici Response per request, ~15% of a
 * search request's CPU). Set afterwards, they go onto the response's headers
 * directly. The headers match Hono's `cors` and, as there, win over a
 * route's own. Test: test/server/cors.test.ts.
 */
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

export interface CorsHeadersOptions {
  origin: string | string[]
  exposeHeaders: string[]
}

export const corsHeaders = (options: CorsHeadersOptions): MiddlewareHandler => {
  const { origin } = options
  const credentials = origin !== '*'
  const preflight = cors({ origin, credentials, exposeHeaders: options.exposeHeaders })
  const exposed = options.exposeHeaders.join(',')
  const allowedOrigin = (requestOrigin: string): string | null =>
    origin === '*' ? '*' : typeof origin === 'string' ? (origin === requestOrigin ? origin : null) : origin.includes(requestOrigin) ? requestOrigin : null

  const apply = (headers: Headers, requestOrigin: string) => {
    const allow = allowedOrigin(requestOrigin)
    if (allow) headers.set('Access-Control-Allow-Origin', allow)
    if (credentials) {
      headers.set('Access-Control-Allow-Credentials', 'true')
      headers.append('Vary', 'Origin')
    }
    if (exposed) headers.set('Access-Control-Expose-Headers', exposed)
  }

  return async function corsHeaders(c, next) {
    if (c.req.method === 'OPTIONS') return preflight(c, next)
    await next()
    const requestOrigin = c.req.header('origin') ?? ''
    try {
      apply(c.res.headers, requestOrigin)
    } catch {
      // A response passed through from fetch() has immutable headers: copy it once.
      c.res = new Response(c.res.body, c.res)
      apply(c.res.headers, requestOrigin)
    }
  }
}
