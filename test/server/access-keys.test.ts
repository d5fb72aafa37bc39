import { describe, expect, it } from 'vitest'
import { jsonRequest, useServers } from './helpers.js'

const makeServer = useServers()
const CLIENT = 'fmc_client_key_0123456789'
const ADMIN = 'fma_admin_key_0123456789ab'

describe('access keys', () => {
  it('leaves data routes open and admin routes disabled when no key is configured', async () => {
    const server = await makeServer()
    expect((await server.getApp().request('/api/documents/list')).status).toBe(200)
    const admin = await server.getApp().request('/api/admin/scopes')
    expect(admin.status).toBe(403)
    expect(await admin.json()).toMatchObject({ error: { code: 'forbidden' } })
  })

  it('needs a client or admin key on data routes: 401 missing or wrong, 200 with either key in any accepted header', async () => {
    const server = await makeServer({ accessKeys: { client: [CLIENT], admin: [ADMIN] } })
    const app = server.getApp()
    const missing = await app.request('/api/documents/list')
    expect(missing.status).toBe(401)
    expect(await missing.json()).toMatchObject({ error: { code: 'unauthorized' } })
    expect((await app.request('/api/documents/list', { headers: { 'x-bento-client-key': 'fmc_wrong_key_0123456789' } })).status).toBe(401)
    expect((await app.request('/api/documents/list', { headers: { 'x-bento-client-key': CLIENT.slice(0, -1) } })).status).toBe(401)
    for (const headers of <Array<Record<string, string>>>[
      { 'x-bento-client-key': CLIENT },
      { 'X-Muxi-Client-Key': CLIENT },
      { authorization: `Bearer ${CLIENT}` },
      { 'x-bento-admin-key': ADMIN },
      { 'X-Muxi-Admin-Key': ADMIN },
    ]) {
      expect((await app.request('/api/documents/list', { headers })).status, JSON.stringify(headers)).toBe(200)
    }
    expect((await app.request('/api/chat/models')).status).toBe(401)
    // Health stays open for load balancers.
    expect((await app.request('/api/health')).status).toBe(200)
  })

  it('needs the admin key on admin routes: 401 missing, 403 with a client key', async () => {
    const server = await makeServer({ accessKeys: { client: [CLIENT], admin: [ADMIN] } })
    const app = server.getApp()
    expect((await app.request('/api/admin/scopes')).status).toBe(401)
    const asClient = await app.request('/api/admin/scopes', { headers: { 'x-bento-client-key': CLIENT } })
    expect(asClient.status).toBe(403)
    expect(await asClient.json()).toMatchObject({ error: { code: 'forbidden' } })
    expect((await app.request('/api/admin/cleanup', jsonRequest('POST', { olderThanMs: 1000, dryRun: true }, { 'x-bento-client-key': CLIENT }))).status).toBe(403)
    expect((await app.request('/api/admin/scopes', { headers: { 'x-bento-admin-key': ADMIN } })).status).toBe(200)
  })

  it('refuses short keys at creation', async () => {
    await expect(makeServer({ accessKeys: { client: ['short'] } })).rejects.toThrow(/accessKeys\.client\.0: access keys must be at least 16 characters/)
  })
})
