/**
 * Many users, one server: each uploads a document with a unique secret word;
 * every search, list and chat of every user finds only their own documents.
 */
import { describe, expect, it } from 'vitest'
import { jsonRequest, uploadForm, useServers } from './helpers.js'

const makeServer = useServers()
const USERS = 20

describe('isolation across many users', () => {
  it(`finds zero cross-scope results among ${USERS} users (custom and session modes)`, async () => {
    for (const mode of ['custom', 'session'] as const) {
      const server = await makeServer({ isolation: mode, maxOpenStores: 4 })
      const app = server.getApp()
      const users = Array.from({ length: USERS }, (_, i): { headers: Record<string, string>; secret: string } => ({
        headers: mode === 'custom' ? { 'x-isolation-key': `tenant_${i % 3}:user_${i}` } : { 'x-session-id': crypto.randomUUID() },
        secret: `zebra${i}quokka secret word for user ${i}`,
      }))
      await Promise.all(users.map(async (user, i) => {
        const response = await app.request('/api/documents/upload', { method: 'POST', headers: user.headers, body: uploadForm(`user${i}.txt`, user.secret) })
        expect(response.status).toBe(200)
      }))
      for (const [i, user] of users.entries()) {
        const list = (await (await app.request('/api/documents/list', { headers: user.headers })).json()) as { documents: Array<{ title: string }> }
        expect(list.documents.map((d) => d.title)).toEqual([`user${i}.txt`])
        for (const probe of [users[(i + 1) % USERS]!.secret, user.secret, 'secret word for user']) {
          const search = (await (await app.request('/api/documents/search', jsonRequest('POST', { query: probe, limit: 50 }, user.headers))).json()) as { results: Array<{ title: string }> }
          expect(search.results.every((r) => r.title === `user${i}.txt`), `${mode} user ${i}`).toBe(true)
        }
        const chat = (await (await app.request('/api/chat', jsonRequest('POST', { messages: [{ role: 'user', content: 'secret word' }] }, user.headers))).json()) as { content: string; sources: Array<{ title: string }> }
        expect(chat.sources.every((s) => s.title === `user${i}.txt`)).toBe(true)
        for (const [j, other] of users.entries()) if (j !== i) expect(chat.content).not.toContain(other.secret.split(' ')[0])
      }
    }
  })
})
