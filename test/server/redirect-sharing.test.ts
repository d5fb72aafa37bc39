/**
 * The seed's sharing pattern with POST routes: an operator route sets isolationKey and
 * answers 307/308 to a Bento POST route. Attack it stops: the client re-sending its body
 * to that route in its own scope and silently getting its own results.
 */
import { describe, expect, it } from 'vitest'
import type { BentoServer } from '../../src/server/index.js'
import { uploadForm, useServers } from './helpers.js'

const makeServer = useServers()
const USERS: Record<string, { id: string; canRead: string[] }> = {
  'Bearer alice': { id: 'user-alice', canRead: ['user-bob'] },
  'Bearer bob': { id: 'user-bob', canRead: [] },
}

const sharingServer = async (): Promise<{ server: BentoServer; url: string }> => {
  const server = await makeServer({ isolation: 'custom' })
  const app = server.getApp()
  app.use('*', async (c, next) => {
    const user = USERS[c.req.header('authorization') ?? '']
    if (user) c.set('isolationKey', user.id)
    c.set('user', user)
    await next()
  })
  app.post('/shared/:userId/:action', async (c) => {
    const target = c.req.param('userId')
    if (!(c.get('user') as { canRead: string[] } | undefined)?.canRead.includes(target) && target !== 'bad key!') return c.json({ error: 'Forbidden' }, 403)
    c.set('isolationKey', target)
    const action = c.req.param('action')
    const location = action === 'search' ? '/api/documents/search'
      : action === 'search308' ? '/api/documents/search'
      : action === 'nowhere' ? '/api/documents/nowhere/at/all'
      : action === 'admin' ? '/api/admin/cleanup'
      : action === 'elsewhere' ? 'http://203.0.113.9/api/documents/search'
      : '/api/documents/list'
    return c.redirect(location, action === 'search308' ? 308 : 307)
  })
  const { url } = await server.start({ port: 0 })
  for (const [token, text] of [['Bearer bob', 'Bob shares the refund policy: 30 days.'], ['Bearer alice', 'Alice keeps her refund notes private.']] as const) {
    const response = await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: { authorization: token }, body: uploadForm(`${token.slice(7)}.txt`, text) })
    expect(response.status).toBe(200)
  }
  return { server, url }
}

const post = (url: string, body: unknown, token = 'Bearer alice') =>
  fetch(url, { method: 'POST', redirect: 'manual', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('307/308 to a Bento POST route after an isolationKey override', () => {
  it('re-dispatches the POST with its body in the redirected scope (307 and 308)', async () => {
    const { url } = await sharingServer()
    for (const action of ['search', 'search308']) {
      const response = await post(`${url}/shared/user-bob/${action}`, { query: 'refund', limit: 5 })
      expect(response.status).toBe(200)
      const { results } = (await response.json()) as { results: Array<{ metadata: { source: string } }> }
      expect(results.map((r) => r.metadata.source)).toEqual(['bob.txt'])
    }
    // Alice's own search is untouched by the override.
    const own = await post(`${url}/api/documents/search`, { query: 'refund', limit: 5 })
    expect(((await own.json()) as { results: Array<{ metadata: { source: string } }> }).results.map((r) => r.metadata.source)).toEqual(['alice.txt'])
    // The body is validated as any body is: the redirected request is a request like any other.
    const bad = await post(`${url}/shared/user-bob/search`, { query: 'refund', top_k: 3 })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_input')
  })

  it('refuses a redirect to a path Bento does not serve, to an admin route, or to a key that is not a valid scope', async () => {
    const { url } = await sharingServer()
    const nowhere = await post(`${url}/shared/user-bob/nowhere`, { query: 'refund' })
    expect(nowhere.status).toBe(404)
    expect(((await nowhere.json()) as { error: { code: string } }).error.code).toBe('not_found')
    // The override grants a scope, never the admin level: admin routes still need an admin key.
    const admin = await post(`${url}/shared/user-bob/admin`, { olderThanMs: 1 })
    expect(admin.status).toBe(403)
    expect(((await admin.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    const invalid = await post(`${url}/shared/${encodeURIComponent('bad key!')}/search`, { query: 'refund' })
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('invalid_key')
    // Another origin is not Bento's to serve: the redirect goes back to the client untouched, and the
    // override does not travel with it.
    const elsewhere = await post(`${url}/shared/user-bob/elsewhere`, { query: 'refund' })
    expect(elsewhere.status).toBe(307)
    expect(elsewhere.headers.get('location')).toBe('http://203.0.113.9/api/documents/search')
    // The operator's own check still decides who may share.
    expect((await post(`${url}/shared/user-alice/search`, { query: 'refund' }, 'Bearer bob')).status).toBe(403)
  })

  it('leaves a 307 without an override to the client', async () => {
    const server = await makeServer({ isolation: 'custom' })
    server.getApp().post('/old-search', (c) => c.redirect('/api/documents/search', 307))
    const { url } = await server.start({ port: 0 })
    const response = await fetch(`${url}/old-search`, { method: 'POST', redirect: 'manual', body: '{}' })
    expect(response.status).toBe(307)
  })
})
