/**
 * The `jwt` auth middleware: verifies the bearer token and sets the verified
 * identity on the context, where the isolation middleware takes the key from
 * (and then ignores every identity header). Runs on data routes before isolation.
 */
import type { MiddlewareHandler } from 'hono'
import { UnauthorizedError } from '../../core/errors.js'
import type { BentoEnv } from '../context.js'
import type { JwtVerifier } from './verify.js'

export { createJwtVerifier, type JwtVerifier, type VerifiedIdentity } from './verify.js'
export type { AuthOptions, JwtAuthOptions } from './options.js'

// A failure to fetch the keys (503) is logged once, by the app's error handler, with its cause.
export const jwtAuth = (verifier: JwtVerifier): MiddlewareHandler<BentoEnv> =>
  async function jwtAuth(c, next) {
    if (c.var.identity !== undefined) return next()
    try {
      c.set('identity', await verifier.verify(c.req.header('authorization')))
    } catch (error) {
      // RFC 6750: a refused bearer token says so in WWW-Authenticate.
      if (error instanceof UnauthorizedError) c.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      throw error
    }
    await next()
  }
