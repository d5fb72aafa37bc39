/**
 * Rate limits per isolation key and per access key: a token bucket each, in
 * this process's memory (so per replica: N replicas allow N times the rate).
 * Off unless configured. A request over a limit is 429 `rate_limited` with
 * `Retry-After` (whole seconds until a token is back) and the RateLimit headers
 * of the IETF draft. The clock is the server's `now`, so tests advance time
 * instead of sleeping. Test: test/server/rate-limit.test.ts.
 */
import { createHash } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { RateLimitedError } from '../core/errors.js'
import { presentedKeys } from './access-keys.js'
import type { BentoEnv } from './context.js'

export interface RateLimitRule {
  /** Sustained rate: tokens refilled per minute. */
  requestsPerMinute: number
  /** Bucket size: requests allowed at once after a quiet spell. Default `requestsPerMinute`. */
  burst?: number
}

export interface RateLimitOptions {
  /** Per isolation key (the resolved scope) on data routes. */
  scope?: RateLimitRule
  /** Per access key (client or admin) on every route that takes one; needs `accessKeys`. */
  accessKey?: RateLimitRule
}

interface Bucket {
  tokens: number
  at: number
}

/** Buckets beyond this count are swept of full ones (a full bucket is the same as none). */
const SWEEP_AT = 10_000

export interface TokenBuckets {
  /** Takes one token for `id`: the wait in ms when none is left (nothing taken), else 0. */
  take(id: string): { waitMs: number; remaining: number; limit: number; resetMs: number }
  readonly size: number
}

export const createTokenBuckets = (rule: RateLimitRule, now: () => number): TokenBuckets => {
  const capacity = rule.burst ?? rule.requestsPerMinute
  const perMs = rule.requestsPerMinute / 60_000
  const buckets = new Map<string, Bucket>()
  const refill = (bucket: Bucket, at: number): void => {
    // A clock that steps back refills nothing rather than going negative.
    bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, at - bucket.at) * perMs)
    bucket.at = Math.max(bucket.at, at)
  }
  const sweep = (at: number): void => {
    for (const [id, bucket] of buckets) {
      refill(bucket, at)
      if (bucket.tokens >= capacity) buckets.delete(id)
    }
  }
  return {
    take(id) {
      const at = now()
      if (buckets.size >= SWEEP_AT && !buckets.has(id)) sweep(at)
      const bucket = buckets.get(id) ?? { tokens: capacity, at }
      refill(bucket, at)
      buckets.set(id, bucket)
      const resetMs = Math.ceil((capacity - bucket.tokens + (bucket.tokens >= 1 ? 1 : 0)) / perMs)
      if (bucket.tokens < 1) return { waitMs: Math.ceil((1 - bucket.tokens) / perMs), remaining: 0, limit: capacity, resetMs }
      bucket.tokens -= 1
      return { waitMs: 0, remaining: Math.floor(bucket.tokens), limit: capacity, resetMs }
    },
    get size() {
      return buckets.size
    },
  }
}

const setHeaders = (c: Context, result: ReturnType<TokenBuckets['take']>, rule: RateLimitRule): void => {
  c.header('RateLimit-Limit', String(result.limit))
  c.header('RateLimit-Remaining', String(result.remaining))
  c.header('RateLimit-Reset', String(Math.ceil(result.resetMs / 1000)))
  c.header('RateLimit-Policy', `${result.limit};w=${Math.round((60 * result.limit) / rule.requestsPerMinute)}`)
}

const limit = (buckets: TokenBuckets, rule: RateLimitRule, id: string, what: string, c: Context): void => {
  const result = buckets.take(id)
  setHeaders(c, result, rule)
  if (result.waitMs > 0) {
    const seconds = Math.max(1, Math.ceil(result.waitMs / 1000))
    throw new RateLimitedError(`Too many requests for this ${what} (${rule.requestsPerMinute} per minute, bursts of ${result.limit}); retry in ${seconds} s.`, seconds)
  }
}

/** Only a digest of the key is held in memory. */
const keyId = (key: string): string => createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 22)

/**
 * Per access key: runs after the access check, so only configured keys (never a caller's
 * made-up ones) get a bucket.
 */
export const accessKeyRateLimit = (rule: RateLimitRule, now: () => number, readBearer: boolean): MiddlewareHandler<BentoEnv> => {
  const buckets = createTokenBuckets(rule, now)
  return async function accessKeyRateLimit(c, next) {
    const [key] = presentedKeys(c, readBearer)
    if (key !== undefined) limit(buckets, rule, keyId(key), 'access key', c)
    await next()
  }
}

/** Per isolation key: runs after the scope is resolved. */
export const scopeRateLimit = (rule: RateLimitRule, now: () => number): MiddlewareHandler<BentoEnv> => {
  const buckets = createTokenBuckets(rule, now)
  return async function scopeRateLimit(c, next) {
    const scope = c.get('scope')
    if (scope !== undefined) limit(buckets, rule, `${scope.kind}\u0000${scope.key}`, 'user', c)
    await next()
  }
}
