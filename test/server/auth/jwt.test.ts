import { describe, expect, it } from 'vitest'
import { createLayout } from '../../../src/core/layout.js'
import { customScope } from '../../../src/core/keys.js'
import { bearer, hs, SECRET, unsecured } from '../../helpers/jwt.js'
import { jsonRequest, listTree, uploadForm, useServers } from '../helpers.js'

const makeServer = useServers()
const ADMIN = 'fma_admin_key_0123456789ab'
const CLIENT = 'fmc_client_key_0123456789'

const started = async (auth: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
  const server = await makeServer({ auth: { type: 'jwt', secret: SECRET, ...auth }, ...extra })
  const { url } = await server.start({ port: 0 })
  return { server, url }
}

const titles = async (response: Response): Promise<string[]> => {
  expect(response.status).toBe(200)
  return ((await response.json()) as { documents: Array<{ title: string }> }).documents.map((document) => document.title)
}

describe('auth jwt (HS256 secret), over HTTP', () => {
  it('takes the scope only from the verified token: an x-isolation-key or X-Muxi-User-Id header cannot pick another user', async () => {
    const { url } = await started()
    const alice = bearer(await hs({ sub: 'alice' }))
    const mallory = bearer(await hs({ sub: 'mallory' }))
    expect((await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: alice, body: uploadForm('alice-secret.md', 'plans for the launch') })).status).toBe(200)
    expect(await titles(await fetch(`${url}/api/documents/list`, { headers: alice }))).toEqual(['alice-secret.md'])
    expect(await titles(await fetch(`${url}/api/documents/list`, { headers: { ...mallory, 'x-isolation-key': 'alice' } }))).toEqual([])
    expect(await titles(await fetch(`${url}/api/documents/list`, { headers: { ...mallory, 'X-Muxi-User-Id': 'alice' } }))).toEqual([])
    // A header alone, without a token, gets nothing at all.
    const headerOnly = await fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': 'alice' } })
    expect(headerOnly.status).toBe(401)
  })

  const OK = { iss: 'https://idp.example', aud: 'bento' }
  it.each([
    ['no token', async () => ({}), /Authorization: Bearer/],
    ['a bad signature', async () => bearer(await hs({ ...OK, sub: 'alice' }, 'HS256', 'another-secret-of-at-least-32-bytes!!')), /signature/],
    ['alg none', async () => bearer(unsecured({ ...OK, sub: 'alice' })), /algorithm|malformed/],
    ['an algorithm the key does not allow (HS512)', async () => bearer(await hs({ ...OK, sub: 'alice' }, 'HS512')), /algorithm/],
    ['an expired token', async () => bearer(await hs({ ...OK, sub: 'alice', exp: Math.floor(Date.now() / 1000) - 3600 })), /expired/],
    ['a token not valid yet', async () => bearer(await hs({ ...OK, sub: 'alice', nbf: Math.floor(Date.now() / 1000) + 3600 })), /not valid yet/],
    ['a wrong issuer', async () => bearer(await hs({ sub: 'alice', iss: 'https://evil.example', aud: 'bento' })), /issuer/],
    ['a wrong audience', async () => bearer(await hs({ sub: 'alice', iss: 'https://idp.example', aud: 'another-app' })), /audience/],
    ['a token without issuer and audience', async () => bearer(await hs({ sub: 'alice' })), /claim|issuer|audience/],
    ['a garbage bearer', async () => bearer('not.a.jwt'), /malformed/],
  ])('refuses %s with 401 and WWW-Authenticate', async (_name, headers, message) => {
    const { url } = await started({ issuer: 'https://idp.example', audience: 'bento' })
    const response = await fetch(`${url}/api/documents/list`, { headers: await headers() })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('unauthorized')
    expect(body.error.message).toMatch(message)
    // The good token passes the same server, so the refusals above are the checks, not a broken setup.
    const good = await fetch(`${url}/api/documents/list`, { headers: bearer(await hs({ sub: 'alice', iss: 'https://idp.example', aud: 'bento' })) })
    expect(good.status).toBe(200)
  })

  it('accepts a little clock skew (clockToleranceMs) and no more', async () => {
    const { url } = await started({ clockToleranceMs: 60_000 })
    const justExpired = bearer(await hs({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 10 }))
    expect((await fetch(`${url}/api/documents/list`, { headers: justExpired })).status).toBe(200)
    const longExpired = bearer(await hs({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 600 }))
    expect((await fetch(`${url}/api/documents/list`, { headers: longExpired })).status).toBe(401)
  })

  it.each([
    ['a key that is not a valid isolation key', { sub: '../bob' }],
    ['no sub claim', {}],
    ['a numeric-looking object claim', { sub: { id: 1 } }],
    ['the reserved key "shared"', { sub: 'shared' }],
  ])('answers 403 invalid_key for %s, and creates nothing', async (_name, claims) => {
    const { server, url } = await started()
    const response = await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: bearer(await hs(claims)), body: uploadForm('x.md', 'x') })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_key' } })
    expect(await listTree(server.config.dataDir)).not.toContain('vectors/shared')
    expect(await listTree(createLayout(server.config.dataDir).isolatedDir('vectors'))).toEqual([])
  })

  it('uses keyClaim and tenantClaim: the scope is <tenant>:<key>', async () => {
    const { server, url } = await started({ keyClaim: 'uid', tenantClaim: 'org' })
    const token = bearer(await hs({ sub: 'ignored', uid: 'user_1', org: 'tenant_a' }))
    expect((await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: token, body: uploadForm('a.md', 'a') })).status).toBe(200)
    expect(await listTree(createLayout(server.config.dataDir).isolatedDir('vectors'))).toContain(customScope('tenant_a:user_1').dir)
    const otherTenant = bearer(await hs({ uid: 'user_1', org: 'tenant_b' }))
    expect(await titles(await fetch(`${url}/api/documents/list`, { headers: otherTenant }))).toEqual([])
    const noTenant = await fetch(`${url}/api/documents/list`, { headers: bearer(await hs({ uid: 'user_1' })) })
    expect(noTenant.status).toBe(403)
  })

  it('keeps access keys in their own headers: Authorization is the token, never an access key', async () => {
    const { url } = await started({}, { accessKeys: { client: [CLIENT], admin: [ADMIN] } })
    const token = bearer(await hs({ sub: 'alice' }))
    expect((await fetch(`${url}/api/documents/list`, { headers: token })).status).toBe(401)
    expect((await fetch(`${url}/api/documents/list`, { headers: { ...token, 'x-bento-client-key': CLIENT } })).status).toBe(200)
    expect((await fetch(`${url}/api/documents/list`, { headers: { ...token, 'X-Muxi-Client-Key': CLIENT } })).status).toBe(200)
    // A client key sent as the bearer is not a token and not a key.
    expect((await fetch(`${url}/api/documents/list`, { headers: { ...bearer(CLIENT) } })).status).toBe(401)
    // Admin routes: the admin key in its header, no token needed.
    expect((await fetch(`${url}/api/admin/scopes`, { headers: { 'x-bento-admin-key': ADMIN } })).status).toBe(200)
    expect((await fetch(`${url}/api/admin/scopes`, { headers: bearer(ADMIN) })).status).toBe(401)
  })

  it('leaves health open and gates chat models behind a token', async () => {
    const { url } = await started()
    expect((await fetch(`${url}/api/health`)).status).toBe(200)
    expect((await fetch(`${url}/api/chat/models`)).status).toBe(401)
    expect((await fetch(`${url}/api/chat/models`, { headers: bearer(await hs({ sub: 'a' })) })).status).toBe(200)
  })

  it('gates the shared scope when isolation is none', async () => {
    const { url } = await started({}, { isolation: 'none' })
    expect((await fetch(`${url}/api/documents/search`, jsonRequest('POST', { query: 'x' }))).status).toBe(401)
    expect((await fetch(`${url}/api/documents/search`, jsonRequest('POST', { query: 'x' }, bearer(await hs({ sub: 'a' }))))).status).toBe(200)
  })

  it('refuses bad auth options at creation', async () => {
    await expect(makeServer({ auth: { type: 'jwt', secret: 'short' } })).rejects.toThrow(/at least 32 bytes/)
    await expect(makeServer({ auth: { type: 'jwt' } })).rejects.toThrow(/exactly one of secret/)
    await expect(makeServer({ auth: { type: 'jwt', secret: SECRET }, isolation: 'session' })).rejects.toThrow(/not session/)
    await expect(makeServer({ auth: { type: 'jwt', jwks: 'http://idp.example.com/jwks.json' } })).rejects.toThrow(/must be https/)
    await expect(makeServer({ auth: { type: 'jwt', jwks: '/nonexistent/jwks.json' } })).rejects.toThrow(/Cannot read the JWKS file/)
  })
})
