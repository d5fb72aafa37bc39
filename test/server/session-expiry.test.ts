/**
 * Sessions expire visibly and for good, judged by an injected clock (no sleeps):
 * an expired id gets a new session and `x-session-expired: true`, and is never
 * valid again — after the sweep removed its data, and after a restart.
 */
import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import { sessionScope } from '../../src/core/keys.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { listTree, uploadForm, useServers } from './helpers.js'

const makeServer = useServers()
const tempDir = useTempDirs()
const HOUR = 3600_000
const T0 = Date.parse('2026-01-01T00:00:00Z')

const clock = () => {
  let t = T0
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

describe('session expiry', () => {
  it('answers an expired id with a new session and x-session-expired: true, and refuses that id ever after', async () => {
    const time = clock()
    const server = await makeServer({ isolation: 'session', sessionTtlMs: HOUR, now: time.now })
    const { url } = await server.start({ port: 0 })
    const first = await fetch(`${url}/api/documents/upload`, { method: 'POST', body: uploadForm('a.txt', 'session text') })
    const old = first.headers.get('x-session-id')!
    expect(first.headers.get('x-session-expired')).toBeNull()
    time.advance(HOUR - 1000)
    const stillLive = await fetch(`${url}/api/documents/list`, { headers: { 'x-session-id': old } })
    expect(stillLive.headers.get('x-session-id')).toBe(old)
    expect(stillLive.headers.get('x-session-expired')).toBeNull()

    time.advance(HOUR + 1000)
    const expired = await fetch(`${url}/api/documents/list`, { headers: { 'x-session-id': old } })
    expect(expired.headers.get('x-session-expired')).toBe('true')
    const fresh = expired.headers.get('x-session-id')!
    expect(fresh).not.toBe(old)
    expect(await expired.json()).toMatchObject({ documents: [] })
    // The header is readable by browser apps on other origins.
    expect(expired.headers.get('access-control-expose-headers')).toMatch(/x-session-expired/i)

    const again = await fetch(`${url}/api/documents/list`, { headers: { 'x-session-id': old } })
    expect(again.headers.get('x-session-expired')).toBe('true')
    expect(again.headers.get('x-session-id')).not.toBe(old)
    const freshAgain = await fetch(`${url}/api/documents/list`, { headers: { 'x-session-id': fresh } })
    expect(freshAgain.headers.get('x-session-id')).toBe(fresh)
    expect(freshAgain.headers.get('x-session-expired')).toBeNull()
  })

  it('never revives an expired id after the sweep removed its data and the server restarted', async () => {
    const dataDir = await tempDir()
    const time = clock()
    const before = await makeServer({ dataDir, isolation: 'session', sessionTtlMs: HOUR, now: time.now })
    const { url } = await before.start({ port: 0 })
    const old = (await fetch(`${url}/api/documents/upload`, { method: 'POST', body: uploadForm('a.txt', 'kept until expiry') })).headers.get('x-session-id')!
    await before.stop()

    time.advance(2 * HOUR)
    const after = await makeServer({ dataDir, isolation: 'session', sessionTtlMs: HOUR, now: time.now })
    const restarted = await after.start({ port: 0 })
    // Swept once at start, before the first request.
    expect(await listTree(createLayout(dataDir).isolatedDir('vectors'))).not.toContain(sessionScope(old).dir)
    const presented = await fetch(`${restarted.url}/api/documents/list`, { headers: { 'x-session-id': old } })
    expect(presented.headers.get('x-session-expired')).toBe('true')
    expect(presented.headers.get('x-session-id')).not.toBe(old)
  })

  it('accepts an id the client made up (the seed stores crypto.randomUUID()), and gives parallel first requests their own sessions', async () => {
    const server = await makeServer({ isolation: 'session', sessionTtlMs: HOUR })
    const { url } = await server.start({ port: 0 })
    const own = crypto.randomUUID()
    const response = await fetch(`${url}/api/documents/list`, { headers: { 'x-session-id': own } })
    expect(response.headers.get('x-session-id')).toBe(own.replaceAll('-', ''))
    expect(response.headers.get('x-session-expired')).toBeNull()
    const parallel = await Promise.all([1, 2, 3].map(() => fetch(`${url}/api/documents/list`)))
    expect(new Set(parallel.map((answer) => answer.headers.get('x-session-id'))).size).toBe(3)
  })
})
