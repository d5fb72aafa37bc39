/**
 * Upstream failures an app can handle, over real HTTP against the fake
 * OpenAI-compatible server: status mapping, what the client sees and what only the
 * log sees, heartbeats on a slow stream, turns kept when the answer fails.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import pino from 'pino'
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../helpers/fake-openai.js'
import { jsonRequest, useServers } from './helpers.js'
import type { BentoServerOptions } from '../../src/server/index.js'

const makeServer = useServers()
const fakes: FakeOpenAI[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()))
})

const USER = { 'x-isolation-key': 'user_1' }

const listen = async (fakeOptions: Partial<FakeOpenAIOptions> = {}, options: BentoServerOptions = {}) => {
  const fake = await startFakeOpenAI({ reply: () => 'one two three four', ...fakeOptions })
  fakes.push(fake)
  const lines: string[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  const server = await makeServer({ isolation: 'custom', openRouterKey: 'sk-test', logger, ...options, chat: { baseUrl: fake.url, ...options.chat } })
  const { url } = await server.start({ port: 0 })
  return { fake, url, log: () => lines.join('') }
}

const newSession = async (url: string): Promise<string> =>
  ((await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers: USER })).json()) as { id: string }).id

const history = async (url: string, id: string) =>
  ((await (await fetch(`${url}/v1/sessions/${id}`, { headers: USER })).json()) as { messages: Array<{ role: string; content: string; error?: { code: string } }> }).messages

const chat = (url: string, path: string, body: unknown, init: RequestInit = {}) => fetch(`${url}${path}`, { ...jsonRequest('POST', body, USER), ...init })

describe('upstream errors', () => {
  it('passes an upstream 429 on as a 429 with its Retry-After, on every chat route', async () => {
    const { fake, url } = await listen()
    for (const [path, body] of [
      ['/api/chat', { messages: [{ role: 'user', content: 'hi' }] }],
      ['/api/chat/stream', { messages: [{ role: 'user', content: 'hi' }] }],
      ['/v1/chat', { message: 'hi' }],
    ] as const) {
      fake.enqueue({ status: 429, headers: { 'retry-after': '7' }, body: JSON.stringify({ error: { message: 'slow down' } }) })
      const response = await chat(url, path, body)
      expect(response.status, path).toBe(429)
      expect(response.headers.get('retry-after')).toBe('7')
      expect(await response.json()).toMatchObject({ error: { code: 'upstream_rate_limited' } })
    }
  })

  it('keeps the upstream body and URL out of the answer and puts them in the log (502)', async () => {
    const { fake, url, log } = await listen()
    fake.enqueue({ status: 500, body: JSON.stringify({ error: { message: 'internal detail: shard 7 down' } }) })
    const failed = await chat(url, '/api/chat', { messages: [{ role: 'user', content: 'hi' }] })
    expect(failed.status).toBe(502)
    const text = await failed.text()
    expect(text).not.toContain('shard 7')
    expect(log()).toContain('shard 7')

    const gone = await startFakeOpenAI()
    const goneUrl = gone.url
    await gone.close()
    const unreachable = await listen({}, { chat: { baseUrl: goneUrl } })
    const refused = await chat(unreachable.url, '/api/chat', { messages: [{ role: 'user', content: 'hi' }] })
    expect(refused.status).toBe(502)
    const refusedText = await refused.text()
    expect(refusedText).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/)
    expect(JSON.parse(refusedText)).toMatchObject({ error: { code: 'upstream_error', message: expect.stringMatching(/could not be reached/) } })
    expect(unreachable.log()).toMatch(/ECONNREFUSED/)
  })

  it('maps a model that does not answer in time to 504', async () => {
    const { fake, url } = await listen({}, { chat: { timeoutMs: 100 } })
    fake.enqueue({ delayMs: 2000 })
    expect((await chat(url, '/api/chat', { messages: [{ role: 'user', content: 'hi' }] })).status).toBe(504)
  })

  it('sends SSE heartbeat comments while a slow model is silent', async () => {
    const { url } = await listen({ streamChunkDelayMs: 300, reply: () => 'slow answer' }, { chat: { heartbeatMs: 10 } })
    const text = await (await chat(url, '/api/chat/stream', { messages: [{ role: 'user', content: 'hi' }] })).text()
    expect(text).toMatch(/^: heartbeat$/m)
    expect(text).toMatch(/event: done/)
  })

  it("keeps the user's message when the model fails, and says the turn failed", async () => {
    const { fake, url } = await listen()
    const id = await newSession(url)
    fake.enqueue({ status: 500, body: 'boom' })
    expect((await chat(url, '/api/chat', { messages: [{ role: 'user', content: 'first question' }], conversationId: id })).status).toBe(502)
    expect(await history(url, id)).toMatchObject([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: '', error: { code: 'upstream_error' } },
    ])
    // The failed turn is not replayed to the model; the next one works.
    expect((await chat(url, '/api/chat', { messages: [{ role: 'user', content: 'second' }], conversationId: id })).status).toBe(200)
    const sent = fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> }
    expect(sent.messages.filter((message) => message.role !== 'system')).toEqual([{ role: 'user', content: 'second' }])
  })

  it('keeps the turn with its partial answer when the stream breaks mid-answer', async () => {
    const { url } = await listen({ streamHangUpAfter: 2 })
    const id = await newSession(url)
    const text = await (await chat(url, '/api/chat/stream', { messages: [{ role: 'user', content: 'tell me' }], conversationId: id })).text()
    expect(text).toMatch(/event: error/)
    const messages = await history(url, id)
    expect(messages[0]).toMatchObject({ role: 'user', content: 'tell me' })
    expect(messages[1]).toMatchObject({ role: 'assistant', content: 'one two ', error: { code: 'upstream_error' } })
  })

  it('keeps the turn when the client disconnects mid-stream', async () => {
    const { url } = await listen({ streamChunkDelayMs: 150 })
    const id = await newSession(url)
    const abort = new AbortController()
    const response = await chat(url, '/api/chat/stream', { messages: [{ role: 'user', content: 'bye' }], conversationId: id }, { signal: abort.signal })
    const reader = response.body!.getReader()
    let seen = ''
    while (!seen.includes('event: delta')) seen += new TextDecoder().decode((await reader.read()).value)
    abort.abort()
    await vi.waitFor(async () => {
      const messages = await history(url, id)
      expect(messages).toMatchObject([{ role: 'user', content: 'bye' }, { role: 'assistant', error: { code: 'cancelled' } }])
    }, { timeout: 10_000, interval: 50 })
  })

  it('stores a resent history once: only the messages after it are new', async () => {
    const { url, fake } = await listen({ reply: (request) => `re: ${String(request.messages.at(-1)?.content)}` })
    const id = await newSession(url)
    await chat(url, '/api/chat', { messages: [{ role: 'user', content: 'a' }], conversationId: id })
    const full = [{ role: 'user', content: 'a' }, { role: 'assistant', content: 're: a' }, { role: 'user', content: 'b' }]
    expect((await chat(url, '/api/chat', { messages: full, conversationId: id })).status).toBe(200)
    expect((await history(url, id)).map((message) => message.content)).toEqual(['a', 're: a', 'b', 're: b'])
    const sent = fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> }
    expect(sent.messages.filter((message) => message.role !== 'system').map((message) => message.content)).toEqual(['a', 're: a', 'b'])
  })

  it('calls a keyless endpoint (BENTO_CHAT_URL without a key) without Authorization', async () => {
    const fake = await startFakeOpenAI({ reply: () => 'local model here' })
    fakes.push(fake)
    const server = await makeServer({ isolation: 'custom', chat: { baseUrl: fake.url } })
    const { url } = await server.start({ port: 0 })
    const answer = await chat(url, '/api/chat', { messages: [{ role: 'user', content: 'hi' }] })
    expect(await answer.json()).toMatchObject({ content: 'local model here' })
    expect(fake.requests.at(-1)!.headers.authorization).toBeUndefined()
  })

  it('answers 405 with Allow for a wrong method on a known path, 404 on an unknown one', async () => {
    const { url } = await listen()
    for (const [method, path, allow] of [
      ['GET', '/api/chat', 'POST'],
      ['DELETE', '/v1/chat', 'POST'],
      ['POST', '/api/chat/models', 'GET, HEAD'],
      ['PUT', '/v1/sessions/sess_x', 'GET, HEAD, DELETE'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method, headers: USER })
      expect(response.status, `${method} ${path}`).toBe(405)
      expect(response.headers.get('allow')).toBe(allow)
      expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } })
    }
    expect((await fetch(`${url}/api/nothing`, { headers: USER })).status).toBe(404)
  })
})
