import { afterEach, describe, expect, it } from 'vitest'
import { startFakeOpenAI, type ChatRequest, type FakeOpenAI } from '../helpers/fake-openai.js'
import { jsonRequest, uploadForm, useServers } from './helpers.js'

const makeServer = useServers()
const fakes: FakeOpenAI[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()))
})
const startFake = async (options: Parameters<typeof startFakeOpenAI>[0] = {}) => {
  const fake = await startFakeOpenAI(options)
  fakes.push(fake)
  return fake
}

const ask = (content: string, extra: Record<string, unknown> = {}) => jsonRequest('POST', { messages: [{ role: 'user', content }], ...extra })

interface SseEvent { event: string; data: Record<string, unknown> }
const readSse = async (response: Response): Promise<SseEvent[]> =>
  (await response.text()).split(/\n\n/).filter((block) => block.trim()).map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
    const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n')
    return { event, data: JSON.parse(data) as Record<string, unknown> }
  })

describe('chat without a model (offline)', () => {
  it('answers honestly from retrieval, quoting the top passages', async () => {
    const server = await makeServer()
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('volcano.txt', 'Volcanoes erupt when magma pressure builds under the crust.') })
    const response = await app.request('/api/chat', ask('Why do volcanoes erupt?'))
    expect(response.status).toBe(200)
    const body = (await response.json()) as { content: string; model: string; sources: Array<{ title: string }> }
    expect(body.model).toBe('retrieval-only')
    expect(body.content).toContain('No language model is configured; here are the most relevant passages:')
    expect(body.content).toContain('magma pressure')
    expect(body.sources[0]?.title).toBe('volcano.txt')
  })

  it('never quotes a passage that does not match the question (nonsense finds nothing)', async () => {
    const server = await makeServer()
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('volcano.txt', 'Volcanoes erupt when magma pressure builds under the crust.') })
    const body = (await (await app.request('/api/chat', ask('qqqzzzkkk?'))).json()) as { content: string; sources: unknown[] }
    expect(body.sources).toEqual([])
    expect(body.content).toMatch(/found nothing/)
    expect(body.content).not.toContain('magma')
  })

  it('says it found nothing when the scope is empty, and lists no models', async () => {
    const server = await makeServer()
    const body = (await (await server.getApp().request('/api/chat', ask('anything?'))).json()) as { content: string; sources: unknown[] }
    expect(body.sources).toEqual([])
    expect(body.content).toMatch(/found nothing/)
    expect(await (await server.getApp().request('/api/chat/models')).json()).toEqual({ models: [], default: null, llm: false })
  })

  it('streams the retrieval answer as server-sent events', async () => {
    const server = await makeServer()
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('tea.txt', 'Green tea is steeped at eighty degrees.') })
    const response = await app.request('/api/chat/stream', ask('How hot for green tea?'))
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const events = await readSse(response)
    expect(events.map((e) => e.event)).toEqual(['sources', 'delta', 'done'])
    expect(String(events[2]?.data.content)).toContain('eighty degrees')
  })

  it('rejects a request with no user message or an unknown model (400)', async () => {
    const server = await makeServer()
    const app = server.getApp()
    expect((await app.request('/api/chat', jsonRequest('POST', { messages: [{ role: 'assistant', content: 'hi' }] }))).status).toBe(400)
    expect((await app.request('/api/chat', jsonRequest('POST', { messages: [] }))).status).toBe(400)
    expect((await app.request('/api/chat', ask('hi', { model: 'evil/model' }))).status).toBe(400)
  })
})

describe('chat with an OpenAI-compatible model (local fake speaking the protocol)', () => {
  it('sends the scope\'s passages as context and returns the model\'s answer', async () => {
    const fake = await startFake({ reply: (request: ChatRequest) => `Answer to: ${String(request.messages.at(-1)?.content)}` })
    const server = await makeServer({ openRouterKey: 'sk-test', chat: { baseUrl: fake.url, models: ['m/one', 'm/two'] } })
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('bees.txt', 'Bees communicate with a waggle dance.') })
    const response = await app.request('/api/chat', ask('How do bees communicate?', { model: 'm/two' }))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ content: 'Answer to: How do bees communicate?', model: 'm/two', sources: [{ title: 'bees.txt' }] })
    const sent = fake.requestsTo('/v1/chat/completions')[0]!
    expect(sent.headers.authorization).toBe('Bearer sk-test')
    const body = sent.body as ChatRequest
    expect(body.model).toBe('m/two')
    expect(body.messages[0]).toMatchObject({ role: 'system' })
    expect(String(body.messages[0]?.content)).toContain('waggle dance')
    expect(await (await app.request('/api/chat/models')).json()).toEqual({ models: [{ id: 'm/one' }, { id: 'm/two' }], default: 'm/one', llm: true })
  })

  it('relays the streamed deltas as SSE', async () => {
    const fake = await startFake({ reply: () => 'one two three four' })
    const server = await makeServer({ openRouterKey: 'sk-test', chat: { baseUrl: fake.url } })
    const events = await readSse(await server.getApp().request('/api/chat/stream', ask('count')))
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data.content).join('')
    expect(deltas).toBe('one two three four')
    expect(events.filter((e) => e.event === 'delta').length).toBeGreaterThan(1)
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { content: 'one two three four' } })
  })

  it('maps an upstream failure to 502 with a short message that keeps the upstream body to the log, for chat and for stream', async () => {
    const fake = await startFake()
    const server = await makeServer({ openRouterKey: 'sk-test', chat: { baseUrl: fake.url } })
    fake.enqueue({ status: 500, body: JSON.stringify({ error: { message: 'model overloaded' } }) })
    const response = await server.getApp().request('/api/chat', ask('hi'))
    expect(response.status).toBe(502)
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('upstream_error')
    expect(body.error.message).toMatch(/language model failed \(HTTP 500\)/)
    expect(body.error.message).not.toContain('model overloaded')
    fake.enqueue({ status: 401, body: JSON.stringify({ error: { message: 'bad key' } }) })
    expect((await server.getApp().request('/api/chat/stream', ask('hi'))).status).toBe(502)
  })

  it('maps an unreachable model to 502', async () => {
    const fake = await startFake()
    const url = fake.url
    await fake.close()
    fakes.splice(fakes.indexOf(fake), 1)
    const server = await makeServer({ openRouterKey: 'sk-test', chat: { baseUrl: url } })
    const response = await server.getApp().request('/api/chat', ask('hi'))
    expect(response.status).toBe(502)
  })

  it('maps a slow model to 504', async () => {
    const fake = await startFake()
    const server = await makeServer({ openRouterKey: 'sk-test', chat: { baseUrl: fake.url, timeoutMs: 200 } })
    fake.enqueue({ delayMs: 2000 })
    const response = await server.getApp().request('/api/chat', ask('hi'))
    expect(response.status).toBe(504)
    expect(await response.json()).toMatchObject({ error: { code: 'upstream_timeout' } })
    fake.enqueue({ delayMs: 2000 })
    expect((await server.getApp().request('/api/chat/stream', ask('hi'))).status).toBe(504)
  })

  it('ends a stream that breaks mid-answer with an error event', async () => {
    const fake = await startFake({ reply: () => 'a b c d e f g h', streamHangUpAfter: 2 })
    const server = await makeServer({ openRouterKey: 'sk-test', chat: { baseUrl: fake.url } })
    const events = await readSse(await server.getApp().request('/api/chat/stream', ask('go')))
    expect(events.at(-1)?.event).toBe('error')
    expect(events.at(-1)?.data).toMatchObject({ error: { code: 'upstream_error' } })
  })
})

describe('conversations (/v1/sessions)', () => {
  it('creates a MUXI-shaped session, appends both turns of a chat, and returns the history', async () => {
    const fake = await startFake({ reply: (request: ChatRequest) => `echo ${request.messages.length}` })
    const server = await makeServer({ isolation: 'custom', openRouterKey: 'sk-test', chat: { baseUrl: fake.url } })
    const app = server.getApp()
    const headers = { 'X-Muxi-User-Id': 'user_123' }
    const created = await app.request('/v1/sessions', { method: 'POST', headers })
    expect(created.status).toBe(201)
    const session = (await created.json()) as { id: string; user_id: string; created_at: string }
    expect(session).toEqual({ id: expect.stringMatching(/^sess_[0-9a-f]{32}$/), user_id: 'user_123', created_at: expect.any(String) })

    expect((await app.request('/api/chat', ask('Hello', { conversationId: session.id }))).status).toBe(401)
    const turn = (init: RequestInit) => ({ ...init, headers: { ...(init.headers as Record<string, string>), ...headers } })
    expect((await app.request('/api/chat', turn(ask('Hello', { conversationId: session.id })))).status).toBe(200)
    expect((await app.request('/api/chat', turn(ask('Again', { conversationId: session.id })))).status).toBe(200)
    // The second call carried the first turn as history: system + 2 + new user message.
    expect((fake.requestsTo('/v1/chat/completions')[1]?.body as ChatRequest).messages).toHaveLength(4)

    const history = (await (await app.request(`/v1/sessions/${session.id}`, { headers })).json()) as { messages: Array<{ role: string; content: string }> }
    expect(history.messages.map((m) => [m.role, m.content])).toEqual([['user', 'Hello'], ['assistant', 'echo 2'], ['user', 'Again'], ['assistant', 'echo 4']])
    const list = (await (await app.request('/v1/sessions', { headers })).json()) as { sessions: Array<{ id: string; message_count: number }> }
    expect(list.sessions).toEqual([expect.objectContaining({ id: session.id, message_count: 4 })])
  })

  it('binds a conversation to its scope: another user gets 404 for reading, chatting and deleting', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const owner = { 'x-isolation-key': 'user_a' }
    const other = { 'x-isolation-key': 'user_b' }
    const session = (await (await app.request('/v1/sessions', { method: 'POST', headers: owner })).json()) as { id: string }
    expect((await app.request(`/v1/sessions/${session.id}`, { headers: other })).status).toBe(404)
    const chat = await app.request('/api/chat', { ...ask('hi', { conversationId: session.id }), headers: { 'content-type': 'application/json', ...other } })
    expect(chat.status).toBe(404)
    expect((await app.request(`/v1/sessions/${session.id}`, { method: 'DELETE', headers: other })).status).toBe(404)
    expect((await app.request(`/v1/sessions/${session.id}`, { headers: owner })).status).toBe(200)
    expect((await app.request(`/v1/sessions/${session.id}`, { method: 'DELETE', headers: owner })).status).toBe(200)
    expect((await app.request(`/v1/sessions/${session.id}`, { headers: owner })).status).toBe(404)
  })

  it('expires conversations after the configured timeout', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z')
    const server = await makeServer({ conversationTtlMs: 150, now: () => clock })
    const app = server.getApp()
    const session = (await (await app.request('/v1/sessions', { method: 'POST' })).json()) as { id: string }
    clock += 150
    expect((await app.request(`/v1/sessions/${session.id}`)).status).toBe(200)
    clock += 1
    expect((await app.request(`/v1/sessions/${session.id}`)).status).toBe(404)
    expect((await app.request('/api/chat', ask('hi', { conversationId: session.id }))).status).toBe(404)
  })
})
