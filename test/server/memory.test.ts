import { afterEach, describe, expect, it } from 'vitest'
import { startFakeOpenAI, type ChatRequest, type FakeOpenAI } from '../helpers/fake-openai.js'
import { jsonRequest, useServers } from './helpers.js'

const makeServer = useServers()
const fakes: FakeOpenAI[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()))
})

const chatAs = (user: string, content: string, conversationId?: string) =>
  jsonRequest('POST', { messages: [{ role: 'user', content }], ...(conversationId ? { conversationId } : {}) }, { 'X-Muxi-User-Id': user })

describe('persistent memory (MUXI "Memory Isolation")', () => {
  it('User A: "Remember I like Python"; User B: "What language do I like?" gets nothing of A\'s', async () => {
    const fake = await startFakeOpenAI()
    fakes.push(fake)
    const server = await makeServer({ isolation: 'custom', openRouterKey: 'sk-test', chat: { baseUrl: fake.url }, memory: { enabled: true } })
    const app = server.getApp()

    const sessionA = (await (await app.request('/v1/sessions', { method: 'POST', headers: { 'X-Muxi-User-Id': 'user_a' } })).json()) as { id: string }
    expect((await app.request('/api/chat', chatAs('user_a', 'Remember I like Python', sessionA.id))).status).toBe(200)

    const answerB = (await (await app.request('/api/chat', chatAs('user_b', 'What language do I like?'))).json()) as { content: string }
    const toModelForB = fake.requestsTo('/v1/chat/completions')[1]?.rawBody ?? ''
    expect(toModelForB).toContain('What language do I like?')
    expect(toModelForB).not.toContain('Python')
    expect(answerB.content).not.toContain('Python')
    expect(((await (await app.request('/v1/memories', { headers: { 'X-Muxi-User-Id': 'user_b' } })).json()) as { memories: unknown[] }).memories).toEqual([])

    // A, in a later conversation, is reminded.
    const sessionA2 = (await (await app.request('/v1/sessions', { method: 'POST', headers: { 'X-Muxi-User-Id': 'user_a' } })).json()) as { id: string }
    await app.request('/api/chat', chatAs('user_a', 'What language do I like?', sessionA2.id))
    const toModelForA = fake.requestsTo('/v1/chat/completions')[2]?.body as ChatRequest
    expect(String(toModelForA.messages[0]?.content)).toContain('I like Python')
  })

  it('recalls offline too, keeps memories after the conversation expires, and lists/searches/deletes them', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z')
    const server = await makeServer({ isolation: 'custom', memory: { enabled: true }, conversationTtlMs: 1000, now: () => clock })
    const app = server.getApp()
    const headers = { 'X-Muxi-User-Id': 'user_a' }
    const session = (await (await app.request('/v1/sessions', { method: 'POST', headers })).json()) as { id: string }
    await app.request('/api/chat', chatAs('user_a', 'Remember I like Python', session.id))
    clock += 1001
    expect((await app.request(`/v1/sessions/${session.id}`, { headers })).status).toBe(404)

    const offline = (await (await app.request('/api/chat', chatAs('user_a', 'What language do I like?'))).json()) as { content: string }
    expect(offline.content).toContain('I like Python')
    const offlineB = (await (await app.request('/api/chat', chatAs('user_b', 'What language do I like?'))).json()) as { content: string }
    expect(offlineB.content).not.toContain('Python')
    expect(offlineB.content).toMatch(/don't know/)

    const list = (await (await app.request('/v1/memories', { headers })).json()) as { memories: Array<{ id: string; content: string; session_id: string | null }> }
    expect(list.memories).toEqual([expect.objectContaining({ content: 'I like Python', session_id: session.id })])
    const search = (await (await app.request('/v1/memories/search', jsonRequest('POST', { query: 'Python' }, headers))).json()) as { results: Array<{ score: number }> }
    expect(search.results).toHaveLength(1)
    const added = await app.request('/v1/memories', jsonRequest('POST', { content: 'I work at night' }, headers))
    expect(added.status).toBe(201)
    expect((await app.request(`/v1/memories/${list.memories[0]!.id}`, { method: 'DELETE', headers: { 'X-Muxi-User-Id': 'user_b' } })).status).toBe(404)
    expect((await app.request(`/v1/memories/${list.memories[0]!.id}`, { method: 'DELETE', headers })).status).toBe(200)
    expect(((await (await app.request('/v1/memories', { headers })).json()) as { memories: Array<{ content: string }> }).memories.map((m) => m.content)).toEqual(['I work at night'])
  })

  it('stores nothing when memory is disabled', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    await app.request('/api/chat', chatAs('user_a', 'Remember I like Python'))
    expect(((await (await app.request('/v1/memories', { headers: { 'X-Muxi-User-Id': 'user_a' } })).json()) as { memories: unknown[] }).memories).toEqual([])
  })
})
