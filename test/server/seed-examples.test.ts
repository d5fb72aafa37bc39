/**
 * The examples of the seed page "User Isolation", written as the page writes
 * them (server created first, middleware added afterwards with
 * `server.getApp().use('*', …)`), each a test named after its section.
 */
import { access } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import { customScope, sessionScope, sharedScope } from '../../src/core/keys.js'
import { cleanupSessions } from '../../src/middleware/isolation.js'
import { listTree, uploadForm, useServers } from './helpers.js'

const makeServer = useServers()

// The operator's auth system of the examples.
const TOKENS: Record<string, { id: string; organizationId: string; legacy?: boolean; canRead?: string[] }> = {
  'Bearer token-alice': { id: 'user-alice', organizationId: 'org_acme', canRead: ['user-bob'] },
  'Bearer token-bob': { id: 'user-bob', organizationId: 'org_acme' },
  'Bearer token-carol': { id: 'user-carol', organizationId: 'org_globex' },
  'Bearer token-legacy': { id: 'user-legacy', organizationId: 'org_old', legacy: true },
}
const getUserFromToken = async (header: string | undefined) => (header === undefined ? undefined : TOKENS[header]?.id)
const getUser = async (c: { req: { header(name: string): string | undefined } }) => {
  const user = TOKENS[c.req.header('Authorization') ?? '']
  if (!user) throw new Error('unauthenticated')
  return user
}
const exists = (target: string) => access(target).then(() => true, () => false)

const titles = async (response: Response) => ((await response.json()) as { documents: Array<{ title: string }> }).documents.map((doc) => doc.title).sort()

describe('seed: User Isolation', () => {
  it('No Isolation (Default): everyone shares data/vectors/shared', async () => {
    const server = await makeServer({ openRouterKey: 'your-key' })
    const app = server.getApp()
    expect((await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('a.txt', 'shared notes about apples') })).status).toBe(200)
    expect(await titles(await app.request('/api/documents/list'))).toEqual(['a.txt'])
    // A caller that names a user is told the server does not isolate users (issue 15), not shared silently.
    expect((await app.request('/api/documents/list', { headers: { 'x-isolation-key': 'someone' } })).status).toBe(400)
    expect(await exists(createLayout(server.config.dataDir).vectorsDir(sharedScope()))).toBe(true)
  })

  it('Session-based Isolation: frontend integration with a localStorage crypto.randomUUID()', async () => {
    const server = await makeServer({ openRouterKey: 'your-key', isolation: 'session' })
    const app = server.getApp()
    const sessionId = crypto.randomUUID()
    const upload = await app.request('/api/documents/upload', { method: 'POST', headers: { 'x-session-id': sessionId }, body: uploadForm('mine.txt', 'my session notes') })
    expect(upload.status).toBe(200)
    expect(upload.headers.get('x-session-id')).toBe(sessionId.replaceAll('-', ''))
    expect(await titles(await app.request('/api/documents/list', { headers: { 'x-session-id': sessionId } }))).toEqual(['mine.txt'])
    expect(await titles(await app.request('/api/documents/list', { headers: { 'x-session-id': crypto.randomUUID() } }))).toEqual([])
    expect(await exists(createLayout(server.config.dataDir).vectorsDir(sessionScope(sessionId)))).toBe(true)
    expect(await exists(createLayout(server.config.dataDir).vectorsDir(sharedScope()))).toBe(false)
  })

  it('Custom Isolation: auth middleware added after creation decides the scope, not the client', async () => {
    const server = await makeServer({ openRouterKey: 'your-key', isolation: 'custom' })

    // Add your auth middleware BEFORE Bento routes
    server.getApp().use('*', async (c, next) => {
      const userId = await getUserFromToken(c.req.header('Authorization'))
      c.set('isolationKey', userId)
      await next()
    })

    const app = server.getApp()
    // Alice uploads while trying to pick Bob's key with the header: the middleware's key wins.
    const upload = await app.request('/api/documents/upload', {
      method: 'POST',
      headers: { Authorization: 'Bearer token-alice', 'x-isolation-key': 'user-bob' },
      body: uploadForm('alice.txt', 'alice private plan'),
    })
    expect(upload.status).toBe(200)
    expect(await titles(await app.request('/api/documents/list', { headers: { Authorization: 'Bearer token-alice' } }))).toEqual(['alice.txt'])
    expect(await titles(await app.request('/api/documents/list', { headers: { Authorization: 'Bearer token-bob' } }))).toEqual([])
    const layout = createLayout(server.config.dataDir)
    expect(await exists(layout.vectorsDir(customScope('user-alice')))).toBe(true)
    expect(await exists(layout.vectorsDir(customScope('user-bob')))).toBe(false)

    // No token: the middleware set isolationKey to undefined, so the header cannot stand in for it.
    const anonymous = await app.request('/api/documents/list', { headers: { 'x-isolation-key': 'user-alice' } })
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } })
  })

  it('Custom Isolation, alternative: use the x-isolation-key header directly', async () => {
    const server = await makeServer({ openRouterKey: 'your-key', isolation: 'custom' })
    const app = server.getApp()
    const currentUser = { id: 'user-456' }
    await app.request('/api/documents/upload', { method: 'POST', headers: { 'x-isolation-key': currentUser.id }, body: uploadForm('n.md', '# Notes\nhello') })
    expect(await titles(await app.request('/api/documents/list', { headers: { 'x-isolation-key': currentUser.id } }))).toEqual(['Notes'])
    expect(await listTree(createLayout(server.config.dataDir).isolatedDir('uploads'))).toContain('user-456')
    expect((await app.request('/api/documents/list')).status).toBe(401)
    expect((await app.request('/api/documents/list', { headers: { 'x-isolation-key': '../shared' } })).status).toBe(400)
  })

  it('Custom Session Expiry: cleanupSessions(server.config) on an interval removes expired sessions', async () => {
    // The server's clock is injected (no sleeping); cleanupSessions(server.config) judges by it too.
    let now = Date.parse('2026-03-01T12:00:00Z')
    const server = await makeServer({ openRouterKey: 'your-key', isolation: 'session', sessionTtlMs: 1000, now: () => now })
    const app = server.getApp()
    const expired = crypto.randomUUID().replaceAll('-', '')
    await app.request('/api/documents/upload', { method: 'POST', headers: { 'x-session-id': expired }, body: uploadForm('old.txt', 'old session data') })
    const layout = createLayout(server.config.dataDir)
    expect(await exists(layout.vectorsDir(sessionScope(expired)))).toBe(true)
    now += 24 * 3600_000
    const fresh = crypto.randomUUID().replaceAll('-', '')
    await app.request('/api/documents/upload', { method: 'POST', headers: { 'x-session-id': fresh }, body: uploadForm('new.txt', 'new session data') })

    // Run cleanup every 30 minutes (here: every 50 ms)
    const timer = setInterval(() => {
      cleanupSessions(server.config)
    }, 50)
    try {
      await expect.poll(() => exists(layout.vectorsDir(sessionScope(expired))), { timeout: 5000 }).toBe(false)
    } finally {
      clearInterval(timer)
    }
    expect(await exists(layout.uploadsDir(sessionScope(expired)))).toBe(false)
    expect(await titles(await app.request('/api/documents/list', { headers: { 'x-session-id': fresh } }))).toEqual(['new.txt'])
  })

  it('Multi-tenant SaaS: the organization id is the isolation key', async () => {
    const server = await makeServer({ openRouterKey: 'your-key', isolation: 'custom' })
    server.getApp().use('*', async (c, next) => {
      const user = await getUser(c)
      c.set('isolationKey', user.organizationId)
      await next()
    })
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', headers: { Authorization: 'Bearer token-alice' }, body: uploadForm('acme.txt', 'acme roadmap') })
    expect(await titles(await app.request('/api/documents/list', { headers: { Authorization: 'Bearer token-bob' } }))).toEqual(['acme.txt'])
    expect(await titles(await app.request('/api/documents/list', { headers: { Authorization: 'Bearer token-carol' } }))).toEqual([])
  })

  it("Sharing Documents Between Users: override the key, then redirect to /api/documents/list", async () => {
    const server = await makeServer({ openRouterKey: 'your-key', isolation: 'custom' })
    server.getApp().use('*', async (c, next) => {
      const userId = await getUserFromToken(c.req.header('Authorization'))
      c.set('user', userId)
      c.set('isolationKey', userId)
      await next()
    })
    const canAccessUserDocuments = (user: unknown, target: string) => TOKENS['Bearer token-alice']?.id === user && TOKENS['Bearer token-alice']?.canRead?.includes(target) === true

    server.getApp().get('/shared/:userId/documents', async (c) => {
      const targetUserId = c.req.param('userId')

      // Check permissions
      if (!canAccessUserDocuments(c.get('user'), targetUserId)) {
        return c.json({ error: 'Forbidden' }, 403)
      }

      // Override isolation for this request
      c.set('isolationKey', targetUserId)

      // Now document routes will access target user's data
      return c.redirect(`/api/documents/list`)
    })

    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', headers: { Authorization: 'Bearer token-bob' }, body: uploadForm('bob.txt', 'bob shares this') })
    await app.request('/api/documents/upload', { method: 'POST', headers: { Authorization: 'Bearer token-alice' }, body: uploadForm('alice.txt', 'alice keeps this') })

    const shared = await app.request('/shared/user-bob/documents', { headers: { Authorization: 'Bearer token-alice' } })
    expect(shared.status).toBe(200)
    expect(await titles(shared)).toEqual(['bob.txt'])
    // Alice's own list is untouched by the override.
    expect(await titles(await app.request('/api/documents/list', { headers: { Authorization: 'Bearer token-alice' } }))).toEqual(['alice.txt'])
    // Bob may not read Alice's documents.
    expect((await app.request('/shared/user-alice/documents', { headers: { Authorization: 'Bearer token-bob' } })).status).toBe(403)
  })

  it("Handling Legacy Sessions: c.set('isolationKey', 'shared') falls back to the shared scope", async () => {
    const server = await makeServer({ openRouterKey: 'your-key', isolation: 'custom' })
    const isLegacyUser = (c: { req: { header(name: string): string | undefined } }) => TOKENS[c.req.header('Authorization') ?? '']?.legacy === true
    server.getApp().use('*', async (c, next) => {
      let isolationKey = c.get('isolationKey')

      // Fallback to shared for old users
      if (!isolationKey && isLegacyUser(c)) {
        c.set('isolationKey', 'shared')
      }

      await next()
    })
    const app = server.getApp()
    expect((await app.request('/api/documents/upload', { method: 'POST', headers: { Authorization: 'Bearer token-legacy' }, body: uploadForm('legacy.txt', 'old shared data') })).status).toBe(200)
    const layout = createLayout(server.config.dataDir)
    expect(await exists(layout.vectorsDir(sharedScope()))).toBe(true)
    expect(await listTree(layout.uploadsDir(sharedScope()))).toEqual(expect.arrayContaining([expect.stringMatching(/legacy\.txt$/)]))
    // A non-legacy client without a key is still refused, and one with a header gets its own scope.
    expect((await app.request('/api/documents/list', { headers: { Authorization: 'Bearer token-bob' } })).status).toBe(401)
    expect(await titles(await app.request('/api/documents/list', { headers: { 'x-isolation-key': 'user-new' } }))).toEqual([])
  })
})

