/**
 * readScopes: an operator's middleware grants a request read access to more scopes
 * (the seed's "sharing documents between users", organisation-wide documents for
 * tenant:user keys). Attacks it stops: a grant reading further than granted, and a
 * read grant turning into a write.
 */
import { describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { customScope } from '../../src/core/keys.js'
import type { BentoServer } from '../../src/server/index.js'
import { uploadForm, useServers } from './helpers.js'

const makeServer = useServers()

interface Hit { id: string; content: string; scope?: string; metadata: { source: string } }

/** Records every scope the backend opens a store of. */
const spyOnStores = (backend: StorageBackend): string[] => {
  const touched: string[] = []
  const withStore = backend.withStore.bind(backend)
  backend.withStore = ((scope, fn, options) => {
    touched.push(scope.key)
    return withStore(scope, fn, options)
  }) as StorageBackend['withStore']
  return touched
}

/** Users act as `tenant_a:<name>`; the organisation's documents live in `tenant_a:org`. */
const orgServer = async (): Promise<{ server: BentoServer; url: string }> => {
  const server = await makeServer({ isolation: 'custom' })
  server.getApp().use('*', async (c, next) => {
    const user = c.req.header('x-user')
    if (user) c.set('isolationKey', `tenant_a:${user}`)
    const grant = c.req.header('x-test-grant')
    if (grant !== undefined) c.set('readScopes', grant === '' ? [] : grant.split(','))
    await next()
  })
  const { url } = await server.start({ port: 0 })
  const put = async (user: string, name: string, text: string) => {
    const response = await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: { 'x-user': user }, body: uploadForm(name, text) })
    expect(response.status).toBe(200)
  }
  await put('alice', 'alice-notes.md', 'Alice: the refund window for my customers is 30 days.')
  await put('org', 'policy.md', 'Organisation policy: refunds are accepted within 14 days of purchase.')
  await put('bob', 'canary.md', 'Bob canary: refunds zebra-canary-7731 must never leak.')
  return { server, url }
}

const search = async (url: string, query: string, headers: Record<string, string>, extra: Record<string, unknown> = {}) => {
  const response = await fetch(`${url}/api/documents/search`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, limit: 10, ...extra }) })
  return { status: response.status, body: (await response.json()) as { results: Hit[]; noMatch: boolean; error?: { code: string } } }
}

describe('readScopes granted by operator middleware', () => {
  it('ranks across the caller\'s scope and the granted ones, each hit naming its scope, and reads nothing else', async () => {
    const { server, url } = await orgServer()
    const touched = spyOnStores(server.backend)
    const { status, body } = await search(url, 'refund days', { 'x-user': 'alice', 'x-test-grant': 'tenant_a:org' })
    expect(status).toBe(200)
    expect(body.results.map((hit) => [hit.scope, hit.metadata.source]).sort()).toEqual([['tenant_a:alice', 'alice-notes.md'], ['tenant_a:org', 'policy.md']])
    // A query only Bob's canary matches finds nothing: Bob's scope was never granted.
    const canary = await search(url, 'zebra-canary-7731', { 'x-user': 'alice', 'x-test-grant': 'tenant_a:org' }, { mode: 'lexical' })
    expect(canary.body).toMatchObject({ results: [], noMatch: true })
    const vector = await search(url, 'zebra canary never leak', { 'x-user': 'alice', 'x-test-grant': 'tenant_a:org' }, { mode: 'vector' })
    expect(vector.body.results.every((hit) => hit.scope !== 'tenant_a:bob')).toBe(true)
    expect(new Set(touched)).toEqual(new Set(['tenant_a:alice', 'tenant_a:org']))

    // Without a grant: the caller's own scope only, and hits keep their old shape.
    const own = await search(url, 'refund days', { 'x-user': 'alice' })
    expect(own.body.results.map((hit) => hit.metadata.source)).toEqual(['alice-notes.md'])
    expect(own.body.results[0]!.scope).toBeUndefined()
    // Filters apply in every scope.
    const filtered = await search(url, 'refund days', { 'x-user': 'alice', 'x-test-grant': 'tenant_a:org' }, { filter: { source: 'policy.md' } })
    expect(filtered.body.results.map((hit) => hit.scope)).toEqual(['tenant_a:org'])
  })

  it('lets chat retrieval quote the granted scopes, never others', async () => {
    const { server, url } = await orgServer()
    const touched = spyOnStores(server.backend)
    const response = await fetch(`${url}/api/chat`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice', 'x-test-grant': 'tenant_a:org' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'What is the refund window in days? zebra-canary-7731' }] }),
    })
    expect(response.status).toBe(200)
    const { sources, content } = (await response.json()) as { sources: Hit[]; content: string }
    expect(new Set(sources.map((hit) => hit.scope))).toEqual(new Set(['tenant_a:alice', 'tenant_a:org']))
    expect(content).not.toContain('zebra-canary-7731 must never leak')
    expect(touched).not.toContain('tenant_a:bob')
  })

  it('keeps writes in the caller\'s own scope', async () => {
    const { server, url } = await orgServer()
    const headers = { 'x-user': 'alice', 'x-test-grant': 'tenant_a:org' }
    expect((await fetch(`${url}/api/documents/upload`, { method: 'POST', headers, body: uploadForm('new.md', 'Alice adds a note.') })).status).toBe(200)
    const orgList = await fetch(`${url}/api/documents/list`, { headers: { 'x-user': 'org' } })
    expect(((await orgList.json()) as { documents: Array<{ source: string }> }).documents.map((d) => d.source)).toEqual(['policy.md'])
    // Deleting everything deletes the caller's documents, never a granted scope's.
    expect((await fetch(`${url}/api/documents`, { method: 'DELETE', headers })).status).toBe(200)
    const after = await search(url, 'refund days', headers)
    expect(after.body.results.map((hit) => hit.scope)).toEqual(['tenant_a:org'])
    // Lists show the caller's own documents only.
    const list = await fetch(`${url}/api/documents/list`, { headers })
    expect(((await list.json()) as { documents: unknown[] }).documents).toEqual([])
    expect(await server.backend.scopeExists(customScope('tenant_a:org'))).toBe(true)
  })

  it('refuses a grant that is not a list of valid keys (the key module decides), and an empty grant reads the own scope', async () => {
    const { url } = await orgServer()
    for (const grant of ['bad key!', 'a'.repeat(200)]) {
      const refused = await search(url, 'refund', { 'x-user': 'alice', 'x-test-grant': grant })
      expect([grant.slice(0, 10), refused.status, refused.body.error?.code]).toEqual([grant.slice(0, 10), 400, 'invalid_key'])
    }
    const empty = await search(url, 'refund days', { 'x-user': 'alice', 'x-test-grant': '' })
    expect(empty.body.results.map((hit) => hit.metadata.source)).toEqual(['alice-notes.md'])
    // The caller's own key granted again is read once.
    const self = await search(url, 'refund days', { 'x-user': 'alice', 'x-test-grant': 'tenant_a:alice' })
    expect(self.body.results.map((hit) => hit.metadata.source)).toEqual(['alice-notes.md'])
  })
})
