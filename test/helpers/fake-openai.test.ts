import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js'

let fake: FakeOpenAI
beforeEach(async () => {
  fake = await startFakeOpenAI()
})
afterEach(async () => {
  await fake.close()
})

const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hello there world' }], ...body }),
  })

/** Parses an SSE body into its `data:` payloads. */
const sseData = (text: string): string[] =>
  text
    .split('\n\n')
    .map((event) => event.trim())
    .filter(Boolean)
    .map((event) => event.replace(/^data: /, ''))

describe('fake OpenAI-compatible server', () => {
  it('listens on 127.0.0.1 and lists models', async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    const response = await fetch(`${fake.url}/models`)
    const body = (await response.json()) as { data: Array<{ id: string }> }
    expect(body.data.map((model) => model.id)).toContain('openai/gpt-4o-mini')
  })

  it('answers a chat completion as JSON and records the request', async () => {
    fake.options.reply = (request) => `echo ${request.messages.length}`
    const response = await chat({})
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'echo 1' }, finish_reason: 'stop' }],
    })
    expect(fake.requestsTo('/v1/chat/completions')[0]?.body).toMatchObject({ model: 'openai/gpt-4o-mini' })
  })

  it('streams a chat completion as SSE chunks ending in [DONE]', async () => {
    const response = await chat({ stream: true })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const events = sseData(await response.text())
    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }> })
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true)
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('You said: hello there world')
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop')
  })

  it('drops a stream midway when asked', async () => {
    fake.options.streamHangUpAfter = 2
    const response = await chat({ stream: true })
    await expect(response.text()).rejects.toThrow()
  })

  it('applies queued faults in order, optionally per endpoint', async () => {
    fake.enqueue({ path: '/v1/embeddings', status: 500 }, { status: 429, headers: { 'retry-after': '7' } })
    const first = await chat({})
    expect(first.status).toBe(429)
    expect(first.headers.get('retry-after')).toBe('7')
    expect((await chat({})).status).toBe(200)
    const embeddings = await fetch(`${fake.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'm', input: ['a'] }) })
    expect(embeddings.status).toBe(500)
  })

  it('sends malformed bodies when asked', async () => {
    fake.enqueue({ malformed: true }, { malformed: true })
    await expect((await chat({})).json()).rejects.toThrow()
    const streamed = sseData(await (await chat({ stream: true })).text())
    expect(() => JSON.parse(streamed[0]!)).toThrow()
  })

  it('requires the bearer key when configured', async () => {
    fake.options.apiKey = 'sk-right'
    expect((await chat({}, { authorization: 'Bearer sk-wrong' })).status).toBe(401)
    expect((await chat({}, { authorization: 'Bearer sk-right' })).status).toBe(200)
  })

  it('rejects bad requests like the real API', async () => {
    const response = await fetch(`${fake.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'm', input: [''] }) })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { message: expect.any(String) } })
  })
})
