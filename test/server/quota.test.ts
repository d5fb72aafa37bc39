/**
 * Quotas per scope over real HTTP. Attack it stops: one user filling the disk (or
 * the document table) that every other user of the server shares. A refused
 * upload writes nothing.
 */
import { describe, expect, it } from 'vitest'
import { createBentoClient } from '../../src/client/index.js'
import { customScope } from '../../src/core/keys.js'
import { listTree, useServers } from './helpers.js'

const makeServer = useServers()
const ADMIN = 'fma_admin_key_0123456789ab'

const form = (...files: Array<[string, string]>) => {
  const body = new FormData()
  for (const [name, text] of files) body.append('file', new File([text], name, { type: 'text/plain' }))
  return body
}

describe('quotas per scope', () => {
  it('refuses with 413 quota_exceeded, limit and usage in the body, an upload past the default quota, writing nothing', async () => {
    const server = await makeServer({ isolation: 'custom', quota: { maxDocuments: 2 } })
    const { url } = await server.start({ port: 0 })
    const upload = (body: FormData, key = 'user-a', query = '') =>
      fetch(`${url}/api/documents/upload${query}`, { method: 'POST', headers: { 'x-isolation-key': key }, body })
    expect((await upload(form(['a.md', 'alpha text'], ['b.md', 'beta text']))).status).toBe(200)
    const before = await listTree(server.config.dataDir)

    const refused = await upload(form(['c.md', 'gamma text']))
    expect(refused.status).toBe(413)
    const { error } = (await refused.json()) as { error: Record<string, any> }
    expect(error).toMatchObject({ code: 'quota_exceeded', quota: { maxDocuments: 2, maxBytes: null }, usage: { documents: 2 }, adding: { documents: 1 } })
    expect(error.message).toMatch(/may hold 2 documents; it holds 2 and this would add 1/)
    // Several files that together pass the limit: the whole request is refused.
    expect((await upload(form(['d.md', 'delta'], ['e.md', 'epsilon'], ['f.md', 'phi']), 'user-b')).status).toBe(413)
    expect((await listTree(server.config.dataDir)).filter((p) => !p.includes('.bento/') && !p.endsWith('activity.json'))).toEqual(before.filter((p) => !p.includes('.bento/') && !p.endsWith('activity.json')))
    // Replacing a stored document adds none: allowed at the limit; so is keep-both refused, reject a no-op.
    expect((await upload(form(['a.md', 'alpha, edited']))).status).toBe(200)
    expect((await upload(form(['a.md', 'alpha again']), 'user-a', '?onConflict=keep-both')).status).toBe(413)
  })

  it("sets, shows and clears a scope's own quota through the admin API and the typed client; bytes count too", async () => {
    const server = await makeServer({ isolation: 'custom', accessKeys: { admin: [ADMIN] }, quota: { maxDocuments: 1 } })
    const { url } = await server.start({ port: 0 })
    const admin = createBentoClient({ baseUrl: url, adminKey: ADMIN })
    const user = createBentoClient({ baseUrl: url, adminKey: ADMIN, isolationKey: 'tenant_a:user_1' })
    await user.upload({ name: 'one.md', data: 'first document' })
    await expect(user.upload({ name: 'two.md', data: 'second' })).rejects.toMatchObject({ status: 413, code: 'quota_exceeded' })

    const raised = await admin.admin.setQuota('tenant_a:user_1', { maxDocuments: 3 })
    expect(raised).toMatchObject({ key: 'tenant_a:user_1', quota: { maxDocuments: 3, maxBytes: null }, source: { maxDocuments: 'scope', maxBytes: 'none' }, usage: { documents: 1 } })
    expect(raised.usage.bytes).toBeGreaterThan(0)
    await user.upload({ name: 'two.md', data: 'second' })
    // The directory name names the same scope, as on the command line.
    expect((await admin.admin.quota('tenant_a~cuser_1')).usage.documents).toBe(2)

    const usage = (await admin.admin.quota('tenant_a:user_1')).usage.bytes
    await admin.admin.setQuota('tenant_a:user_1', { maxBytes: usage + 10, maxDocuments: 10 })
    await expect(user.upload({ name: 'big.md', data: 'x'.repeat(100) })).rejects.toMatchObject({ status: 413, code: 'quota_exceeded' })
    expect((await user.listDocuments()).length).toBe(2)

    // du (the admin scope list) and inspect show usage against the quota in force.
    const listed = await admin.admin.scopes()
    expect(listed.scopes.find((row) => row.key === 'tenant_a:user_1')?.quota).toEqual({ maxBytes: usage + 10, maxDocuments: 10 })
    const inspected = await admin.admin.inspect('tenant_a:user_1')
    expect(inspected.quota).toMatchObject({ maxBytes: usage + 10, maxDocuments: 10, documents: 2 })
    expect(inspected.quota!.bytes).toBeGreaterThan(0)

    const cleared = await admin.admin.clearQuota('tenant_a:user_1')
    expect(cleared).toMatchObject({ quota: { maxDocuments: 1, maxBytes: null }, source: { maxDocuments: 'default' }, own: null })
    expect(await server.backend.getQuota(customScope('tenant_a:user_1'))).toBeUndefined()
  })

  it("refuses a migrate that would take the target past its quota, before anything moves", async () => {
    const server = await makeServer({ isolation: 'custom', accessKeys: { admin: [ADMIN] } })
    const { url } = await server.start({ port: 0 })
    const admin = createBentoClient({ baseUrl: url, adminKey: ADMIN })
    const source = createBentoClient({ baseUrl: url, adminKey: ADMIN, isolationKey: 'user-src' })
    await source.upload([{ name: 'a.md', data: 'alpha' }, { name: 'b.md', data: 'beta' }])
    await admin.admin.setQuota('user-dst', { maxDocuments: 1 })
    for (const dryRun of [true, false]) {
      await expect(admin.admin.migrate({ from: 'user-src', to: 'user-dst', dryRun })).rejects.toMatchObject({ status: 413, code: 'quota_exceeded' })
    }
    expect((await source.listDocuments()).length).toBe(2)
    expect(await server.backend.scopeExists(customScope('user-dst'))).toBe(false)
    await admin.admin.setQuota('user-dst', { maxDocuments: 2 })
    expect(await admin.admin.migrate({ from: 'user-src', to: 'user-dst' })).toMatchObject({ documents: 2 })
  })

  it('answers 4xx with a code for bad quota input, and admin routes need the admin key', async () => {
    const server = await makeServer({ isolation: 'custom', accessKeys: { admin: [ADMIN], client: ['fmc_client_0123456789ab'] } })
    const { url } = await server.start({ port: 0 })
    const put = (scope: string, body: unknown, key = ADMIN) =>
      fetch(`${url}/api/admin/scopes/${encodeURIComponent(scope)}/quota`, { method: 'PUT', headers: { 'x-bento-admin-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const code = async (response: Response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code]
    expect(await code(await put('user-1', { maxBytes: -5 }))).toEqual([400, 'invalid_input'])
    expect(await code(await put('user-1', { maxDocuments: 1.5 }))).toEqual([400, 'invalid_input'])
    expect(await code(await put('user-1', { max_bytes: 100 }))).toEqual([400, 'invalid_input'])
    expect(await code(await put('bad key!', { maxBytes: 100 }))).toEqual([400, 'invalid_input'])
    expect(await code(await put('user-1', { maxBytes: 100 }, 'fmc_client_0123456789ab'))).toEqual([403, 'forbidden'])
    expect(() => createBentoClient({ baseUrl: url })).not.toThrow()
  })
})
