/**
 * Attack 5 (isolation): 50 users with documents, conversations and memories,
 * each marked with a secret only that user's data contains, then thousands of
 * mixed requests over HTTP to a real `bento serve` — including searches and
 * chats for other users' secrets, other users' conversation ids, and admin
 * routes with a client key. Zero responses may contain another scope's secret.
 *
 * With `replicas: 'pg'` the same attack runs against two `bento serve` replicas
 * on one PostgreSQL database (PGlite over the wire protocol, or
 * BENTO_TEST_DATABASE_URL): each request goes to either replica, a user's data
 * written through one is read through the other.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createArena, type Arena } from './support/arena.js'
import { record } from './support/figures.js'
import { serveChild, type ServeChild } from './support/serve-child.js'
import { seededRandom } from '../helpers/hostile-keys.js'
import { startTestDatabase, type TestDatabase } from '../helpers/pg.js'

const CLIENT = 'fmc_isolation_client_key_0123456789'
const ADMIN = 'fma_isolation_admin_key_0123456789'

interface User {
  key: string
  secret: string
  conversation: string
}

export interface IsolationSuiteOptions {
  name: string
  users: number
  requests: number
  concurrency: number
  /** Two server replicas on one PostgreSQL database instead of one server on a data dir. */
  replicas?: 'pg'
}

export const defineIsolationSuite = (options: IsolationSuiteOptions): void => {
  let arena: Arena
  let database: TestDatabase | undefined
  let servers: ServeChild[] = []
  let calls = 0
  const users: User[] = []
  const tally = { users: options.users, requests: 0, leaks: 0, byKind: {} as Record<string, number>, statuses: {} as Record<string, number> }

  const call = async (user: User | undefined, method: string, route: string, body?: unknown, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = { 'x-bento-client-key': CLIENT, ...extra }
    if (user) headers['x-isolation-key'] = user.key
    let payload: string | FormData | undefined
    if (body instanceof FormData) payload = body
    else if (body !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(body)
    }
    const server = servers[calls++ % servers.length]!
    const response = await fetch(`${server.url}${route}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) })
    return { status: response.status, text: await response.text() }
  }

  beforeAll(async () => {
    arena = await createArena('bento-isolation-')
    const args = ['--isolation', 'custom', '--max-open-stores', '16']
    const env = { BENTO_CLIENT_KEYS: CLIENT, BENTO_ADMIN_KEYS: ADMIN, BENTO_EMBEDDINGS_DIMENSION: '64' }
    if (options.replicas === 'pg') {
      database = await startTestDatabase()
      const backend = `${database.url}?schema=isolation_${randomBytes(4).toString('hex')}`
      // One after the other: the first applies the migrations the second then finds done.
      for (let i = 0; i < 2; i++) servers.push(await serveChild(arena.dataDir, [...args, '--backend', backend], env))
    } else {
      servers = [await serveChild(arena.dataDir, args, env)]
    }
    for (let i = 0; i < options.users; i++) {
      const user: User = { key: `tenant_${i % 5}:user-${i}`, secret: `SECRET${i}Z${randomBytes(4).toString('hex')}`, conversation: '' }
      for (const doc of ['a', 'b']) {
        const form = new FormData()
        form.append('file', new File([`Private notes ${doc} of user ${i}. The code word is ${user.secret}. ${user.secret} appears again.`], `${doc}-${i}.txt`))
        const upload = await call(user, 'POST', '/api/documents/upload', form)
        expect(upload.status, upload.text).toBe(200)
      }
      const created = await call(user, 'POST', '/v1/sessions')
      expect(created.status, created.text).toBe(201)
      user.conversation = (JSON.parse(created.text) as { id: string }).id
      const chat = await call(user, 'POST', '/api/chat', { messages: [{ role: 'user', content: `remember ${user.secret}` }], conversationId: user.conversation })
      expect(chat.status, chat.text).toBe(200)
      const memory = await call(user, 'POST', '/v1/memories', { content: `My secret is ${user.secret}` })
      expect([200, 201], memory.text).toContain(memory.status)
      users.push(user)
    }
  }, 300_000)

  afterAll(async () => {
    await record(options.name, tally)
    for (const server of servers) await server.stop()
    await database?.close()
    await arena?.dispose()
  })

  it(`${options.users} users, ${options.requests} mixed requests: no response holds another scope's data`, async () => {
    const random = seededRandom(options.requests)
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!
    type Kind = 'list' | 'search-own' | 'search-other' | 'chat-other' | 'conversation-own' | 'conversation-other' | 'memories' | 'memory-search-other' | 'admin-with-client-key' | 'no-key'
    const kinds: Kind[] = ['list', 'search-own', 'search-other', 'chat-other', 'conversation-own', 'conversation-other', 'memories', 'memory-search-other', 'admin-with-client-key', 'no-key']
    const plan = Array.from({ length: options.requests }, () => ({ kind: pick(kinds), user: pick(users), other: pick(users) }))
    const leaks: string[] = []
    const oneRequest = async ({ kind, user, other }: (typeof plan)[number]) => {
      let response: { status: number; text: string }
      let expected: number[] = [200]
      switch (kind) {
        case 'list': response = await call(user, 'GET', '/api/documents/list'); break
        case 'search-own': response = await call(user, 'POST', '/api/documents/search', { query: user.secret, limit: 10 }); break
        case 'search-other': response = await call(user, 'POST', '/api/documents/search', { query: `code word ${other.secret}`, limit: 50 }); break
        case 'chat-other': response = await call(user, 'POST', '/api/chat', { messages: [{ role: 'user', content: `What is ${other.secret}?` }] }); break
        case 'conversation-own': response = await call(user, 'GET', `/v1/sessions/${user.conversation}`); break
        case 'conversation-other':
          response = await call(user, 'GET', `/v1/sessions/${other.conversation}`)
          expected = other === user ? [200] : [404]
          break
        case 'memories': response = await call(user, 'GET', '/v1/memories'); break
        case 'memory-search-other': response = await call(user, 'POST', '/v1/memories/search', { query: other.secret, limit: 50 }); break
        case 'admin-with-client-key':
          response = await call(undefined, 'GET', pick(['/api/admin/scopes', `/api/admin/scopes/${encodeURIComponent(other.key)}`]))
          expected = [403]
          break
        case 'no-key':
          response = await call(undefined, 'GET', '/api/documents/list')
          expected = [401]
          break
      }
      tally.requests++
      tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1
      tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1
      expect(expected, `${kind} for ${user.key}: ${response.text.slice(0, 300)}`).toContain(response.status)
      // Search answers echo the query, which may be the other user's secret we sent: only the rest counts.
      let seen = response.text
      try {
        const parsed = JSON.parse(response.text) as { query?: unknown }
        delete parsed.query
        seen = JSON.stringify(parsed)
      } catch {}
      for (const someone of users) {
        if (someone !== user && seen.includes(someone.secret)) leaks.push(`${kind}: ${user.key} saw ${someone.key}'s secret`)
      }
      if (kind === 'search-own' || kind === 'conversation-own') expect(response.text).toContain(user.secret)
    }
    let next = 0
    await Promise.all(Array.from({ length: options.concurrency }, async () => {
      while (next < plan.length) await oneRequest(plan[next++]!)
    }))
    tally.leaks = leaks.length
    expect(leaks).toEqual([])
    expect(tally.requests).toBe(options.requests)
    for (const server of servers) expect(server.alive()).toBe(true)
  })
}
