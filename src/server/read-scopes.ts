/**
 * `readScopes`: an operator's middleware may grant a request read access to more
 * scopes than its own (`c.set('readScopes', ['tenant_a:org', 'shared'])`): the seed's
 * "sharing documents between users", and organisation-wide documents for
 * `tenant:user` keys, without copying data. Search and chat retrieval then rank
 * across the caller's scope and the granted ones; every write still goes to the
 * caller's scope only (routes never read `grantedScopes` to write). Each granted key
 * goes through the key module: an invalid one is a 400 `invalid_key`, as an invalid
 * `isolationKey` is. Test: test/server/read-scopes.test.ts.
 */
import type { MiddlewareHandler } from 'hono'
import { InvalidKeyError } from '../core/errors.js'
import { customScope, sharedScope, type Scope } from '../core/keys.js'
import type { BentoEnv } from './context.js'

/** Bounded work per request: every granted scope is opened and searched. */
export const MAX_READ_SCOPES = 32

const toScope = (key: unknown): Scope => {
  if (typeof key !== 'string') throw new InvalidKeyError(`readScopes must hold keys (strings), not ${typeof key}.`)
  return key === 'shared' ? sharedScope() : customScope(key)
}

/** Runs after the isolation middleware: sets `grantedScopes` (the caller's own scope left out, duplicates once). */
export const resolveReadScopes: MiddlewareHandler<BentoEnv> = async function resolveReadScopes(c, next) {
  if (Object.hasOwn(c.var as object, 'readScopes') && c.var.grantedScopes === undefined) {
    const raw: unknown = c.get('readScopes')
    if (raw !== undefined && raw !== null) {
      if (!Array.isArray(raw)) throw new InvalidKeyError('readScopes set by middleware must be an array of isolation keys.')
      if (raw.length > MAX_READ_SCOPES) throw new InvalidKeyError(`readScopes may name at most ${MAX_READ_SCOPES} scopes; this request names ${raw.length}.`)
      const own = c.get('scope')
      const seen = new Set([`${own.kind}:${own.key}`])
      const granted: Scope[] = []
      for (const key of raw) {
        const scope = toScope(key)
        const id = `${scope.kind}:${scope.key}`
        if (!seen.has(id)) granted.push(scope)
        seen.add(id)
      }
      c.set('grantedScopes', granted)
    }
  }
  await next()
}
