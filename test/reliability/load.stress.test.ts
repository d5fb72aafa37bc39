/**
 * Attack 7 (load): 60 s of mixed requests from 100 concurrent connections on
 * loopback against a real `bento serve` holding 200 users with a store pool
 * capped at 16 (so stores are evicted and reopened all the time). Zero 5xx,
 * zero socket errors, server memory bounded (flat after warm-up, under 1 GiB),
 * p50 and p99 latency recorded for docs/RELIABILITY.md.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// autocannon ships no types; the shape used here is its documented programmatic API.
// @ts-expect-error no declaration file
import autocannon from 'autocannon'
import { createFsBackend } from '../../src/core/backend/index.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { customScope } from '../../src/core/keys.js'
import { addTexts } from '../ops/fixtures.js'
import { createArena, type Arena } from './support/arena.js'
import { record } from './support/figures.js'
import { seededRandom } from '../helpers/hostile-keys.js'
import { serveChild, type ServeChild } from './support/serve-child.js'

const USERS = 200
const POOL = 16
const DURATION_S = 60
const CONNECTIONS = 100

interface AutocannonResult {
  requests: { total: number; average: number }
  latency: { p50: number; p99: number; p99_9?: number; max: number; average: number }
  errors: number
  timeouts: number
  non2xx: number
  '1xx': number
  '2xx': number
  '3xx': number
  '4xx': number
  '5xx': number
}

describe('load: 60 s of mixed requests at 100 connections', () => {
  let arena: Arena
  let server: ServeChild

  beforeAll(async () => {
    arena = await createArena('bento-load-')
    const backend = createFsBackend({ dataDir: arena.dataDir, embedder: createLocalEmbedder({ dimension: 384 }), activityCoalesceMs: 0 })
    for (let i = 0; i < USERS; i++) {
      await addTexts(backend, customScope(`load-${i}`), path.join(arena.base, 'in', String(i)), {
        'notes.md': Array.from({ length: 12 }, (_, p) => `Paragraph ${p} of user ${i}: invoices, refunds, shipping and support notes number ${p * i}.`).join('\n\n'),
      })
    }
    await backend.close()
    server = await serveChild(arena.dataDir, ['--isolation', 'custom', '--max-open-stores', String(POOL)])
  }, 600_000)

  afterAll(async () => {
    await server?.stop()
    await arena?.dispose()
  })

  it('answers every request without a 5xx, with memory bounded by the pool cap', async () => {
    const random = seededRandom(7)
    const user = () => `load-${Math.floor(random() * USERS)}`
    const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', 'x-isolation-key': user() }, body: JSON.stringify(body) })
    const mix = [
      () => ({ method: 'GET', path: '/api/documents/list', headers: { 'x-isolation-key': user() } }),
      () => ({ path: '/api/documents/search', ...json({ query: 'refund policy for shipping', limit: 5 }) }),
      () => ({ path: '/api/documents/search', ...json({ query: 'support notes', limit: 3 }) }),
      () => ({ path: '/api/chat', ...json({ messages: [{ role: 'user', content: 'What do my notes say about invoices?' }] }) }),
      () => ({ method: 'GET', path: '/v1/memories', headers: { 'x-isolation-key': user() } }),
      () => ({ method: 'GET', path: '/api/health' }),
    ]
    const rss: number[] = []
    const sampler = setInterval(() => rss.push(server.rss()), 1000)
    const started = Date.now()
    const result = (await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, ...mix[Math.floor(random() * mix.length)]!() }) }],
    })) as AutocannonResult
    clearInterval(sampler)
    const elapsed = (Date.now() - started) / 1000
    const warm = rss.slice(10, 30)
    const late = rss.slice(-20)
    const figures = {
      durationS: Math.round(elapsed),
      connections: CONNECTIONS,
      users: USERS,
      pool: POOL,
      requests: result.requests.total,
      rps: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      status2xx: result['2xx'],
      status4xx: result['4xx'],
      status5xx: result['5xx'],
      errors: result.errors,
      timeouts: result.timeouts,
      rssStartMb: Math.round((rss[0] ?? 0) / 2 ** 20),
      rssWarmMaxMb: Math.round(Math.max(...warm) / 2 ** 20),
      rssLateMaxMb: Math.round(Math.max(...late) / 2 ** 20),
      rssMaxMb: Math.round(Math.max(...rss) / 2 ** 20),
    }
    await record('load', figures)
    expect(result['5xx'], JSON.stringify(figures)).toBe(0)
    expect(result['4xx'], JSON.stringify(figures)).toBe(0)
    expect(result.errors + result.timeouts, JSON.stringify(figures)).toBe(0)
    expect(result.requests.total).toBeGreaterThan(1000)
    // Bounded: flat after warm-up (stores beyond the cap are closed), and far below what 200 open stores would take.
    expect(figures.rssLateMaxMb).toBeLessThanOrEqual(figures.rssWarmMaxMb * 1.25 + 32)
    expect(figures.rssMaxMb).toBeLessThan(1024)
    expect(server.alive()).toBe(true)
  }, 300_000)
})
