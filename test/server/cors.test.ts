import { describe, expect, it } from 'vitest'
import { useServers } from './helpers.js'

const makeServer = useServers()

describe('CORS headers on the final response', () => {
  it('allows any origin by default and exposes x-session-id, x-session-expired and Retry-After', async () => {
    const server = await makeServer({ isolation: 'none' })
    const response = await server.getApp().request('/api/health', { headers: { origin: 'http://anywhere.example' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
    expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toBe('x-session-id,x-session-expired,retry-after')
    expect(await response.json()).toMatchObject({ status: 'ok' })
  })

  it('echoes a listed origin with credentials and Vary, and allows no other origin', async () => {
    const server = await makeServer({ isolation: 'none', cors: { origin: ['http://app.example', 'http://admin.example'] } })
    const listed = await server.getApp().request('/api/health', { headers: { origin: 'http://admin.example' } })
    expect(listed.headers.get('access-control-allow-origin')).toBe('http://admin.example')
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true')
    expect(listed.headers.get('vary')).toBe('Origin')
    const other = await server.getApp().request('/api/health', { headers: { origin: 'http://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('puts the headers on error responses and on responses from operator middleware', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const missingKey = await server.getApp().request('/api/documents/list')
    expect(missingKey.status).toBe(401)
    expect(missingKey.headers.get('access-control-allow-origin')).toBe('*')

    // Response.redirect has immutable headers: the response is copied rather than the request failing.
    const operator = await makeServer({ isolation: 'custom' })
    operator.getApp().get('/login', () => Response.redirect('http://idp.example/login', 302))
    const redirect = await operator.getApp().request('/login')
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('http://idp.example/login')
    expect(redirect.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('sends no CORS headers with cors: false', async () => {
    const server = await makeServer({ isolation: 'none', cors: false })
    const response = await server.getApp().request('/api/health', { headers: { origin: 'http://app.example' } })
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('CORS headers over HTTP', () => {
  it('sets them on answers, errors and operator responses with immutable headers', async () => {
    const server = await makeServer({ isolation: 'custom' })
    server.getApp().get('/login', () => Response.redirect('http://idp.example/login', 302))
    const { url } = await server.start({ port: 0 })
    for (const [path, status] of [['/api/health', 200], ['/api/documents/list', 401], ['/login', 302]] as const) {
      const response = await fetch(`${url}${path}`, { headers: { origin: 'http://anywhere.example' }, redirect: 'manual' })
      expect(response.status).toBe(status)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toBe('x-session-id,x-session-expired,retry-after')
      await response.arrayBuffer()
    }
  })
})
