/**
 * Optional access keys (the MUXI page's client and admin keys). When any key is
 * configured, data routes need a client or admin key; admin routes always need
 * an admin key (they are disabled when none is configured).
 *
 * Keys are read from `x-bento-client-key` / `x-bento-admin-key`, MUXI's
 * `x-muxi-client-key` / `x-muxi-admin-key`, or `Authorization: Bearer …` when no
 * dedicated header is sent. Threat: a timing side channel revealing a key byte
 * by byte — both sides are hashed to equal-length digests and compared with
 * `timingSafeEqual`, against every configured key without an early exit.
 * Test: test/server/access-keys.test.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { ForbiddenError, UnauthorizedError } from '../core/errors.js'

export interface AccessKeys {
  client?: string[]
  admin?: string[]
}

export type AccessLevel = 'client' | 'admin'

const KEY_HEADERS = ['x-bento-admin-key', 'x-muxi-admin-key', 'x-bento-client-key', 'x-muxi-client-key'] as const

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest()

const matchesAny = (presented: Buffer, keys: Buffer[]): boolean => {
  let found = false
  for (const key of keys) found = timingSafeEqual(presented, key) || found
  return found
}

export const presentedKeys = (c: Context, readBearer: boolean): string[] => {
  const keys = KEY_HEADERS.map((name) => c.req.header(name)).filter((value): value is string => value !== undefined && value !== '')
  if (keys.length > 0 || !readBearer) return keys
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')
  return bearer?.[1] !== undefined ? [bearer[1]] : []
}

export interface AccessChecker {
  readonly enabled: boolean
  /** The level the request's key grants, or undefined when it sent none. Throws 401 for a key that matches nothing. */
  levelOf(c: Context): AccessLevel | undefined
  require(level: AccessLevel): MiddlewareHandler
}

export interface AccessCheckerOptions {
  /**
   * Also read a key from `Authorization: Bearer` when no key header is sent. Default true;
   * false when that header carries the user's JWT, so the two never collide.
   */
  bearer?: boolean
}

export const createAccessChecker = (keys: AccessKeys = {}, options: AccessCheckerOptions = {}): AccessChecker => {
  const bearer = options.bearer ?? true
  const client = (keys.client ?? []).map(digest)
  const admin = (keys.admin ?? []).map(digest)
  const enabled = client.length + admin.length > 0

  const levelOf = (c: Context): AccessLevel | undefined => {
    const presented = presentedKeys(c, bearer)
    if (presented.length === 0) return undefined
    let level: AccessLevel | undefined
    for (const key of presented) {
      const hashed = digest(key)
      if (matchesAny(hashed, admin)) level = 'admin'
      else if (matchesAny(hashed, client)) level ??= 'client'
      else throw new UnauthorizedError('The access key is not valid.')
    }
    return level
  }

  const require = (needed: AccessLevel): MiddlewareHandler =>
    async function requireAccessKey(c, next) {
      if (needed === 'admin' && admin.length === 0) {
        throw new ForbiddenError('Admin routes are disabled: configure an admin access key (accessKeys.admin or BENTO_ADMIN_KEYS).')
      }
      if (needed === 'client' && !enabled) return next()
      const level = levelOf(c)
      if (level === undefined) throw new UnauthorizedError(`This route needs ${needed === 'admin' ? 'an admin' : 'a client or admin'} access key (x-bento-${needed}-key header${bearer ? ' or Authorization: Bearer' : ''}).`)
      if (needed === 'admin' && level !== 'admin') throw new ForbiddenError('This route needs an admin access key.')
      await next()
    }

  return { enabled, levelOf, require }
}
