/**
 * Conversations, chat with a conversation, memory and the MUXI routes on the
 * PostgreSQL backend (PGlite over the wire protocol, test/helpers/pg.ts), and a
 * conversation continued across two `createBentoServer` replicas on one database
 * over real HTTP on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { createBentoServer, type BentoServer, type BentoServerOptions } from '../../src/server/index.js'
import { startFakeOpenAI, type ChatRequest, type FakeOpenAI } from '../helpers/fake-openai.js'
import { usePgDatabase } from '../helpers/pg.js'
import { jsonRequest } from './helpers.js'

const db = usePgDatabase()
const running: Array<{ stop(): Promise<void> }> = []
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.stop()
})

const startFake = async (): Promise<FakeOpenAI> => {
  const fake = await startFakeOpenAI({ reply: (request) => `echo: ${String(request.messages.at(-1)?.content)}` })
  running.push({ stop: () => fake.close() })
  return fake
}

const makeServer = async (schema: string, fake: FakeOpenAI, options: BentoServerOptions = {}): Promise<BentoServer> => {
  const embedder = createLocalEmbedder()
  const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${schema}`), embedder, poolSize: 3 })
  const server = createBentoServer({ backend, embedder, isolation: 'custom', logger: false, ui: false, openRouterKey: 'sk-test', chat: { baseUrl: fake.url }, ...options })
  running.push(server)
  return server
}

const userA = { 'X-Muxi-User-Id': 'tenant_a:user_a' }
const userB = { 'X-Muxi-User-Id': 'tenant_a:user_b' }

describe('conversations, chat and memory on the PostgreSQL backend', () => {
  it('sessions: created, continued by /api/chat with conversationId, paged, bound to their user, deleted', async () => {
    const fake = await startFake()
    const app = (await makeServer(db.schema(), fake)).getApp()
    const created = await app.request('/v1/sessions', { method: 'POST', headers: userA })
    expect(created.status).toBe(201)
    const session = (await created.json()) as { id: string; user_id: string }
    expect(session).toMatchObject({ id: expect.stringMatching(/^sess_/), user_id: 'tenant_a:user_a' })

    const ask = (content: string, headers = userA) => app.request('/api/chat', jsonRequest('POST', { messages: [{ role: 'user', content }], conversationId: session.id }, headers))
    expect((await ask('first question')).status).toBe(200)
    expect((await ask('second question')).status).toBe(200)
    // The model saw the first turn as history of the second.
    expect((fake.requestsTo('/v1/chat/completions').at(-1)!.body as ChatRequest).messages.slice(1).map((m) => m.content)).toEqual(['first question', 'echo: first question', 'second question'])

    const read = (await (await app.request(`/v1/sessions/${session.id}`, { headers: userA })).json()) as { message_count: number; messages: Array<{ content: string }> }
    expect(read.message_count).toBe(4)
    expect(read.messages.map((m) => m.content)).toEqual(['first question', 'echo: first question', 'second question', 'echo: second question'])
    const page = (await (await app.request(`/v1/sessions/${session.id}/messages?limit=3`, { headers: userA })).json()) as { messages: Array<{ content: string }>; nextCursor: string | null }
    expect(page.messages).toHaveLength(3)
    const rest = (await (await app.request(`/v1/sessions/${session.id}/messages?limit=3&cursor=${encodeURIComponent(page.nextCursor!)}`, { headers: userA })).json()) as { messages: Array<{ content: string }> }
    expect(rest.messages.map((m) => m.content)).toEqual(['echo: second question'])
    const list = (await (await app.request('/v1/sessions', { headers: userA })).json()) as { sessions: Array<{ id: string; message_count: number }> }
    expect(list.sessions).toEqual([expect.objectContaining({ id: session.id, message_count: 4 })])

    // Another user: not found for every way in, and an empty list.
    expect((await app.request(`/v1/sessions/${session.id}`, { headers: userB })).status).toBe(404)
    expect((await ask('hijack', userB)).status).toBe(404)
    expect((await app.request(`/v1/sessions/${session.id}`, { method: 'DELETE', headers: userB })).status).toBe(404)
    expect(((await (await app.request('/v1/sessions', { headers: userB })).json()) as { sessions: unknown[] }).sessions).toEqual([])

    expect((await app.request(`/v1/sessions/${session.id}`, { method: 'DELETE', headers: userA })).status).toBe(200)
    expect((await app.request(`/v1/sessions/${session.id}`, { headers: userA })).status).toBe(404)
    expect((await app.request('/v1/sessions/sess_not-an-id', { headers: userA })).status).toBe(404)
  })

  it('POST /v1/chat (MUXI): a new session is created, continued and read back; another user cannot continue it', async () => {
    const fake = await startFake()
    const app = (await makeServer(db.schema(), fake)).getApp()
    const first = (await (await app.request('/v1/chat', jsonRequest('POST', { message: 'Hello' }, userA))).json()) as { session_id: string; user_id: string; response: string }
    expect(first).toMatchObject({ user_id: 'tenant_a:user_a', response: 'echo: Hello', session_id: expect.stringMatching(/^sess_/) })
    const second = await app.request('/v1/chat', jsonRequest('POST', { message: 'Again', session_id: first.session_id }, userA))
    expect(await second.json()).toMatchObject({ session_id: first.session_id, response: 'echo: Again' })
    const streamed = await app.request('/v1/chat', jsonRequest('POST', { message: 'Streamed', session_id: first.session_id, stream: true }, userA))
    expect(await streamed.text()).toMatch(/event: done/)
    const history = (await (await app.request(`/v1/sessions/${first.session_id}`, { headers: userA })).json()) as { messages: Array<{ content: string }> }
    expect(history.messages.map((m) => m.content)).toEqual(['Hello', 'echo: Hello', 'Again', 'echo: Again', 'Streamed', 'echo: Streamed'])
    expect((await app.request('/v1/chat', jsonRequest('POST', { message: 'Hi', session_id: first.session_id }, userB))).status).toBe(404)
  })

  it('memory: remembered from chat and recalled in a later conversation of the same user only; listed, searched, added, deleted', async () => {
    const fake = await startFake()
    const app = (await makeServer(db.schema(), fake, { memory: { enabled: true } })).getApp()
    const chat = (content: string, headers: Record<string, string>) => app.request('/api/chat', jsonRequest('POST', { messages: [{ role: 'user', content }] }, headers))
    expect((await chat('Remember I like Python', userA)).status).toBe(200)
    await chat('What language do I like?', userA)
    expect(String((fake.requestsTo('/v1/chat/completions').at(-1)!.body as ChatRequest).messages[0]!.content)).toContain('I like Python')
    await chat('What language do I like?', userB)
    expect(fake.requestsTo('/v1/chat/completions').at(-1)!.rawBody).not.toContain('Python')

    const list = (await (await app.request('/v1/memories', { headers: userA })).json()) as { memories: Array<{ id: string; content: string }> }
    expect(list.memories.map((m) => m.content)).toEqual(['I like Python'])
    expect(((await (await app.request('/v1/memories', { headers: userB })).json()) as { memories: unknown[] }).memories).toEqual([])
    const search = (await (await app.request('/v1/memories/search', jsonRequest('POST', { query: 'Python' }, userA))).json()) as { results: unknown[] }
    expect(search.results).toHaveLength(1)
    expect((await app.request('/v1/memories', jsonRequest('POST', { content: 'I work at night' }, userA))).status).toBe(201)
    expect((await app.request(`/v1/memories/${list.memories[0]!.id}`, { method: 'DELETE', headers: userB })).status).toBe(404)
    expect((await app.request(`/v1/memories/${list.memories[0]!.id}`, { method: 'DELETE', headers: userA })).status).toBe(200)
    const left = (await (await app.request('/v1/memories', { headers: userA })).json()) as { memories: Array<{ content: string }> }
    expect(left.memories.map((m) => m.content)).toEqual(['I work at night'])
    expect((await app.request('/v1/memories', { method: 'DELETE', headers: userA })).status).toBe(200)
    expect(((await (await app.request('/v1/memories', { headers: userA })).json()) as { memories: unknown[] }).memories).toEqual([])
  })
})

describe('two replicas on one database', () => {
  it('a conversation started on one replica is continued on the other and read back on the first', async () => {
    const fake = await startFake()
    const schema = db.schema()
    const [a, b] = [await makeServer(schema, fake), await makeServer(schema, fake)]
    const [urlA, urlB] = [(await a.start({ port: 0, hostname: '127.0.0.1' })).url, (await b.start({ port: 0, hostname: '127.0.0.1' })).url]
    const chat = (url: string, body: unknown) => fetch(`${url}/v1/chat`, jsonRequest('POST', body, userA))

    const started = (await (await chat(urlA, { message: 'Started on A' })).json()) as { session_id: string }
    const continued = await chat(urlB, { message: 'Continued on B', session_id: started.session_id })
    expect(continued.status).toBe(200)
    expect(await continued.json()).toMatchObject({ session_id: started.session_id, response: 'echo: Continued on B' })
    // B gave the model A's turn as history.
    expect((fake.requestsTo('/v1/chat/completions').at(-1)!.body as ChatRequest).messages.slice(1).map((m) => m.content)).toEqual(['Started on A', 'echo: Started on A', 'Continued on B'])

    const back = (await (await fetch(`${urlA}/v1/sessions/${started.session_id}`, { headers: userA })).json()) as { messages: Array<{ content: string }> }
    expect(back.messages.map((m) => m.content)).toEqual(['Started on A', 'echo: Started on A', 'Continued on B', 'echo: Continued on B'])
    // Deleted on B: gone on A.
    expect((await fetch(`${urlB}/v1/sessions/${started.session_id}`, { method: 'DELETE', headers: userA })).status).toBe(200)
    expect((await fetch(`${urlA}/v1/sessions/${started.session_id}`, { headers: userA })).status).toBe(404)
  })
})
