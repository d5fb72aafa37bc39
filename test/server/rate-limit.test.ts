/**
 * Rate limits per isolation key and per access key (token buckets, per process).
 * Attack it stops: one user (or one leaked key) flooding the server for everyone.
 * The clock is injected: time advances, nothing sleeps.
 */
import { describe, expect, it } from 'vitest'
import { createTokenBuckets } from '../../src/server/rate-limit.js'
import { parseServerOptions } from '../../src/server/options.js'
import { serverOptionsFromEnv } from '../../src/server/env.js'
import { useServers } from './helpers.js'

const makeServer = useServers()
const CLIENT_A = 'fmc_client_a_0123456789'
const CLIENT_B = 'fmc_client_b_0123456789'

describe('rate limits', () => {
  it('answers 429 rate_limited with Retry-After once a user spent its burst, and refills with time', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const server = await makeServer({ isolation: 'custom', now: () => now, rateLimit: { scope: { requestsPerMinute: 60, burst: 3 } } })
    const { url } = await server.start({ port: 0 })
    const list = (key: string) => fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': key } })
    for (let i = 0; i < 3; i++) {
      const ok = await list('user-a')
      expect(ok.status).toBe(200)
      expect(ok.headers.get('ratelimit-remaining')).toBe(String(2 - i))
      expect(ok.headers.get('ratelimit-limit')).toBe('3')
    }
    const limited = await list('user-a')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
    // Another user has a bucket of its own; health and the OpenAPI document are never limited.
    expect((await list('user-b')).status).toBe(200)
    expect((await fetch(`${url}/api/health`, { headers: { 'x-isolation-key': 'user-a' } })).status).toBe(200)
    // One request per second comes back (60 per minute).
    now += 1000
    expect((await list('user-a')).status).toBe(200)
    expect((await list('user-a')).status).toBe(429)
    now += 3000
    for (let i = 0; i < 3; i++) expect((await list('user-a')).status).toBe(200)
    expect((await list('user-a')).status).toBe(429)
  })

  it('limits each access key on its own, whichever user it acts for, admin routes included', async () => {
    let now = 0
    const server = await makeServer({
      isolation: 'custom', now: () => now, accessKeys: { client: [CLIENT_A, CLIENT_B] },
      rateLimit: { accessKey: { requestsPerMinute: 6, burst: 2 } },
    })
    const { url } = await server.start({ port: 0 })
    const call = (key: string, user: string) => fetch(`${url}/api/documents/list`, { headers: { 'x-bento-client-key': key, 'x-isolation-key': user } })
    expect((await call(CLIENT_A, 'u1')).status).toBe(200)
    expect((await call(CLIENT_A, 'u2')).status).toBe(200)
    const limited = await call(CLIENT_A, 'u3')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('10')
    expect((await call(CLIENT_B, 'u1')).status).toBe(200)
    // An unknown key is refused before it could get a bucket.
    expect((await call('fmc_not_a_key_0123456789', 'u1')).status).toBe(401)
    now += 10_000
    expect((await call(CLIENT_A, 'u1')).status).toBe(200)
  })

  it('is off by default, and refuses bad settings with a clear error', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const { url } = await server.start({ port: 0 })
    for (let i = 0; i < 30; i++) {
      const response = await fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': 'user-a' } })
      expect(response.status).toBe(200)
      expect(response.headers.get('ratelimit-limit')).toBeNull()
    }
    expect(() => parseServerOptions({ rateLimit: { scope: { requestsPerMinute: 0 } } })).toThrow(/rateLimit\.scope\.requestsPerMinute/)
    expect(() => parseServerOptions({ rateLimit: { perUser: 5 } })).toThrow(/unknown option rateLimit\.perUser/)
    expect(() => serverOptionsFromEnv({ BENTO_RATE_LIMIT_SCOPE: 'lots' })).toThrow(/BENTO_RATE_LIMIT_SCOPE/)
    expect(serverOptionsFromEnv({ BENTO_RATE_LIMIT_SCOPE: '120', BENTO_RATE_LIMIT_BURST: '10' }).rateLimit).toEqual({ scope: { requestsPerMinute: 120, burst: 10 } })
  })

  it('keeps memory bounded: buckets that refilled are swept', () => {
    let now = 0
    const buckets = createTokenBuckets({ requestsPerMinute: 60_000 }, () => now)
    for (let i = 0; i < 10_000; i++) buckets.take(`k${i}`)
    expect(buckets.size).toBe(10_000)
    now += 60_000
    buckets.take('fresh')
    expect(buckets.size).toBe(1)
  })
})
