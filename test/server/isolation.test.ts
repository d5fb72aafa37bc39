import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import { customScope, sessionScope } from '../../src/core/keys.js'
import { listTree, uploadForm, useServers } from './helpers.js'

const makeServer = useServers()

const sessionCookie = (response: Response): string | undefined =>
  response.headers.getSetCookie().find((cookie) => cookie.startsWith('bento_session='))

describe('isolation: session mode', () => {
  it('gives a request without a session a fresh 128-bit id in the header and an HttpOnly cookie', async () => {
    const server = await makeServer({ isolation: 'session' })
    const response = await server.getApp().request('/api/documents/list')
    expect(response.status).toBe(200)
    const id = response.headers.get('x-session-id')
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    const cookie = sessionCookie(response)
    expect(cookie).toContain(`bento_session=${id}`)
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).toMatch(/Path=\//)
  })

  it('issues a different id to every new client', async () => {
    const server = await makeServer({ isolation: 'session' })
    const ids = new Set<string | null>()
    for (let i = 0; i < 20; i++) ids.add((await server.getApp().request('/api/documents/list')).headers.get('x-session-id'))
    expect(ids.size).toBe(20)
  })

  it('replaces a malformed session id instead of using it (no traversal through x-session-id)', async () => {
    const server = await makeServer({ isolation: 'session' })
    for (const bad of ['../../etc', 'abc', `${'g'.repeat(32)}`, 'shared', `${'a'.repeat(31)}`]) {
      const response = await server.getApp().request('/api/documents/list', { headers: { 'x-session-id': bad } })
      expect(response.status).toBe(200)
      expect(response.headers.get('x-session-id')).toMatch(/^[0-9a-f]{32}$/)
      expect(response.headers.get('x-session-id')).not.toBe(bad)
    }
  })

  it('keeps a client in its scope through the cookie alone', async () => {
    const server = await makeServer({ isolation: 'session' })
    const app = server.getApp()
    const first = await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('c.txt', 'cookie kept data') })
    const id = first.headers.get('x-session-id')!
    const list = await app.request('/api/documents/list', { headers: { cookie: `bento_session=${id}` } })
    expect(((await list.json()) as { documents: unknown[] }).documents).toHaveLength(1)
    expect(list.headers.get('x-session-id')).toBe(id)
  })

  it('treats a session idle longer than the TTL as expired and issues a new one (by the injected clock, no sleep)', async () => {
    let now = Date.parse('2026-03-01T12:00:00Z')
    const server = await makeServer({ isolation: 'session', sessionTtlMs: 1000, now: () => now })
    const app = server.getApp()
    const id = crypto.randomUUID().replaceAll('-', '')
    await app.request('/api/documents/upload', { method: 'POST', headers: { 'x-session-id': id }, body: uploadForm('e.txt', 'soon expired') })
    now += 1000
    expect((await app.request('/api/documents/list', { headers: { 'x-session-id': id } })).headers.get('x-session-id')).toBe(id)
    now += 1001
    const after = await app.request('/api/documents/list', { headers: { 'x-session-id': id } })
    expect(after.headers.get('x-session-id')).not.toBe(id)
    expect(((await after.json()) as { documents: unknown[] }).documents).toEqual([])
  })

  it('creates nothing on disk for GET /api/health, nor for reads of a fresh session', async () => {
    const server = await makeServer({ isolation: 'session' })
    const health = await server.getApp().request('/api/health')
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', isolation: 'session' })
    expect(health.headers.get('x-session-id')).toBeNull()
    expect(sessionCookie(health)).toBeUndefined()
    await server.getApp().request('/api/documents/list')
    await server.getApp().request('/v1/sessions')
    await server.getApp().request('/v1/memories')
    await server.getApp().request('/api/documents/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"x"}' })
    expect((await listTree(server.config.dataDir)).filter((entry) => !entry.startsWith('.bento'))).toEqual([])
  })

  describe('trustProxy', () => {
    const cookieFor = async (server: Awaited<ReturnType<typeof makeServer>>, url: string, headers: Record<string, string> = {}) => {
      const cookie = sessionCookie(await server.getApp().request(url, { headers }))
      expect(cookie).toBeDefined()
      return cookie!
    }
    const SECURE = /;\s*Secure(;|$)/i

    it('marks the cookie Secure on an https URL, and not on http, with or without it', async () => {
      for (const trustProxy of [false, true]) {
        const server = await makeServer({ isolation: 'session', trustProxy })
        expect(await cookieFor(server, 'https://bento.example/api/documents/list')).toMatch(SECURE)
        expect(await cookieFor(server, 'http://bento.example/api/documents/list')).not.toMatch(SECURE)
      }
    })

    it('is off by default: a client cannot flip the cookie with its own X-Forwarded-Proto', async () => {
      const server = await makeServer({ isolation: 'session' })
      expect(server.config.trustProxy).toBe(false)
      for (const proto of ['https', 'HTTPS', 'https, http']) {
        expect(await cookieFor(server, 'http://bento.example/api/documents/list', { 'x-forwarded-proto': proto })).not.toMatch(SECURE)
      }
    })

    it('when on, a TLS-terminating proxy\'s X-Forwarded-Proto: https (first value of a list) marks the cookie Secure', async () => {
      const server = await makeServer({ isolation: 'session', trustProxy: true })
      const url = 'http://127.0.0.1:3000/api/documents/list'
      for (const proto of ['https', 'HTTPS', ' https , http', 'https,https']) {
        expect(await cookieFor(server, url, { 'x-forwarded-proto': proto }), proto).toMatch(SECURE)
      }
      for (const proto of ['http', 'http, https', 'httpsx', '']) {
        expect(await cookieFor(server, url, { 'x-forwarded-proto': proto }), proto).not.toMatch(SECURE)
      }
      expect(await cookieFor(server, url)).not.toMatch(SECURE)
    })
  })

  it('exposes x-session-id to browsers through CORS', async () => {
    const server = await makeServer({ isolation: 'session' })
    const response = await server.getApp().request('/api/documents/list', { headers: { origin: 'http://localhost:5173' } })
    expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-session-id')
  })

  it('sends credentials-enabled CORS for a configured origin list', async () => {
    const server = await makeServer({ isolation: 'session', cors: { origin: ['http://app.example'] } })
    const preflight = await server.getApp().request('/api/documents/list', {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-session-id' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.example')
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
  })
})

describe('isolation: custom mode', () => {
  it('answers 401 without a key and 400 for an invalid one, as JSON', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const missing = await server.getApp().request('/api/documents/list')
    expect(missing.status).toBe(401)
    expect(await missing.json()).toMatchObject({ error: { code: 'unauthorized' } })
    for (const bad of ['../x', 'a/b', '.hidden', 'ünïcode', 'x'.repeat(121)]) {
      const response = await server.getApp().request('/api/documents/list', { headers: { 'x-isolation-key': bad } })
      expect(response.status, bad).toBe(400)
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_key' } })
    }
  })

  it('accepts the MUXI header X-Muxi-User-Id, compound tenant keys included', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const upload = await app.request('/api/documents/upload', { method: 'POST', headers: { 'X-Muxi-User-Id': 'tenant_a:user_1' }, body: uploadForm('t.txt', 'tenant data') })
    expect(upload.status).toBe(200)
    const layout = createLayout(server.config.dataDir)
    expect(await listTree(layout.isolatedDir('vectors'))).toContain(customScope('tenant_a:user_1').dir)
    const other = await app.request('/api/documents/list', { headers: { 'X-Muxi-User-Id': 'tenant_a:user_2' } })
    expect(((await other.json()) as { documents: unknown[] }).documents).toEqual([])
  })

  it('prefers the key set by middleware over the header, and accepts numeric user ids', async () => {
    const server = await makeServer({ isolation: 'custom' })
    server.getApp().use('*', async (c, next) => {
      c.set('isolationKey', 42)
      await next()
    })
    await server.getApp().request('/api/documents/upload', { method: 'POST', headers: { 'x-isolation-key': 'intruder' }, body: uploadForm('n.txt', 'numbered') })
    const tree = await listTree(createLayout(server.config.dataDir).isolatedDir('vectors'))
    expect(tree).toContain('42')
    expect(tree).not.toContain('intruder')
  })

  it('lets an operator key override the session in session mode', async () => {
    const server = await makeServer({ isolation: 'session' })
    server.getApp().use('/api/*', async (c, next) => {
      if (c.req.header('authorization') === 'Bearer staff') c.set('isolationKey', 'staff-team')
      await next()
    })
    const response = await server.getApp().request('/api/documents/upload', { method: 'POST', headers: { authorization: 'Bearer staff' }, body: uploadForm('s.txt', 'staff notes') })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-session-id')).toBeNull()
    expect(await listTree(createLayout(server.config.dataDir).isolatedDir('vectors'))).toContain('staff-team')
    expect(sessionScope('0'.repeat(32)).kind).toBe('session')
  })
})

describe('operator middleware that reads the body', () => {
  it('still lets Bento read a JSON body the middleware already consumed', async () => {
    const server = await makeServer({ isolation: 'custom' })
    server.getApp().use('*', async (c, next) => {
      if (c.req.method === 'POST') {
        // Bodies are strict (an unknown field is a 400), so the middleware reads one of Bento's own fields.
        const body = (await c.req.json()) as { query?: string }
        c.set('isolationKey', body.query === 'anything' ? 'acme' : 'nobody')
      }
      await next()
    })
    const response = await server.getApp().request('/api/documents/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'anything', limit: 2 }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ query: 'anything', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] })
  })
})
