/**
 * The MUXI page, followed as written, against a listening server: POST /v1/chat,
 * the single-user default "0", and a shared server that says it is shared.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js'
import { bearer, hs, SECRET } from '../helpers/jwt.js'
import { jsonRequest, useServers } from './helpers.js'
import type { BentoServerOptions } from '../../src/server/index.js'

const makeServer = useServers()
const fakes: FakeOpenAI[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()))
})

const listen = async (options: BentoServerOptions) => {
  const fake = await startFakeOpenAI({ reply: (request) => `echo: ${String(request.messages.at(-1)?.content)}` })
  fakes.push(fake)
  const server = await makeServer({ openRouterKey: 'sk-test', chat: { baseUrl: fake.url }, ...options })
  return { server, fake, url: (await server.start({ port: 0 })).url }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${url}/v1/chat`, jsonRequest('POST', body, headers))

describe('POST /v1/chat (the MUXI page)', () => {
  it('creates a session when none is given, returns it, and continues it with session_id', async () => {
    const { url, fake } = await listen({ isolation: 'custom' })
    const user = { 'X-Muxi-User-Id': 'user_123' }
    const first = await post(url, { message: 'Hello' }, user)
    expect(first.status).toBe(200)
    const answer = (await first.json()) as { session_id: string; user_id: string; response: string; model: string }
    expect(answer).toMatchObject({ user_id: 'user_123', response: 'echo: Hello' })
    expect(answer.session_id).toMatch(/^sess_/)
    const second = (await (await post(url, { message: 'Again', session_id: answer.session_id }, user)).json()) as { session_id: string }
    expect(second.session_id).toBe(answer.session_id)
    // The model saw the first turn as history.
    expect(fake.requests.at(-1)!.body).toMatchObject({ messages: expect.arrayContaining([{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'echo: Hello' }]) })
    const history = (await (await fetch(`${url}/v1/sessions/${answer.session_id}`, { headers: user })).json()) as { user_id: string; messages: Array<{ role: string; content: string }> }
    expect(history.user_id).toBe('user_123')
    expect(history.messages.map((message) => message.content)).toEqual(['Hello', 'echo: Hello', 'Again', 'echo: Again'])
    // Another user cannot continue it.
    expect((await post(url, { message: 'Hi', session_id: answer.session_id }, { 'X-Muxi-User-Id': 'user_999' })).status).toBe(404)
  })

  it('streams with stream: true (or Accept: text/event-stream), ending with done and the session_id', async () => {
    const { url } = await listen({ isolation: 'custom' })
    for (const [body, headers] of [[{ message: 'Hi', stream: true }, {}], [{ message: 'Hi' }, { accept: 'text/event-stream' }]] as const) {
      const response = await post(url, body, { 'X-Muxi-User-Id': 'user_1', ...headers })
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
      const text = await response.text()
      expect(text).toMatch(/event: delta/)
      const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(text)![1]!) as { content: string; session_id: string; user_id: string }
      expect(done).toMatchObject({ content: 'echo: Hi', user_id: 'user_1' })
      expect(done.session_id).toMatch(/^sess_/)
    }
  })

  it('takes user_id from the body as X-Muxi-User-Id, and refuses a body and a header that disagree', async () => {
    const { url } = await listen({ isolation: 'custom' })
    const answer = (await (await post(url, { message: 'Hello', user_id: 'user_123' })).json()) as { session_id: string; user_id: string }
    expect(answer.user_id).toBe('user_123')
    expect((await fetch(`${url}/v1/sessions/${answer.session_id}`, { headers: { 'X-Muxi-User-Id': 'user_123' } })).status).toBe(200)
    const clash = await post(url, { message: 'Hello', user_id: 'user_123' }, { 'X-Muxi-User-Id': 'user_999' })
    expect(clash.status).toBe(400)
    expect((await post(url, { message: 'Hello' })).status).toBe(401)
    expect((await post(url, { session_id: 'sess_x' }, { 'X-Muxi-User-Id': 'u' })).status).toBe(400)
  })

  it('with --auth jwt, a user_id other than the token\'s is 403, the same one is fine', async () => {
    const { url } = await listen({ auth: { type: 'jwt', secret: SECRET } })
    const token = bearer(await hs({ sub: 'user_123' }))
    expect((await post(url, { message: 'Hi', user_id: 'user_999' }, token)).status).toBe(403)
    const ok = await post(url, { message: 'Hi', user_id: 'user_123' }, token)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ user_id: 'user_123' })
    expect((await post(url, { message: 'Hi', user_id: 'user_123' })).status).toBe(401)
  })

  it('defaultKey "0": a request without a user id is user "0" (single-user mode); off by default', async () => {
    const { url } = await listen({ isolation: 'custom', defaultKey: '0' })
    const answer = await post(url, { message: 'Hello' })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ user_id: '0' })
    expect(await (await fetch(`${url}/v1/sessions`)).json()).toMatchObject({ sessions: [{ user_id: '0' }] })
    // A named user is still that user.
    expect(await (await fetch(`${url}/v1/sessions`, { headers: { 'X-Muxi-User-Id': 'user_1' } })).json()).toMatchObject({ sessions: [] })
    await expect(makeServer({ defaultKey: '0' })).rejects.toThrow(/defaultKey needs isolation custom/)
    await expect(makeServer({ isolation: 'custom', defaultKey: '../x' })).rejects.toThrow(/defaultKey/)
  })

  it('in none mode, a request naming a user is a 400 saying the server does not isolate users, never shared silently', async () => {
    const { url } = await listen({ isolation: 'none' })
    expect((await post(url, { message: 'Hello' })).status).toBe(200)
    for (const response of [
      await fetch(`${url}/v1/sessions`, { headers: { 'X-Muxi-User-Id': 'user_999' } }),
      await fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': 'user_999' } }),
      await post(url, { message: 'Hello', user_id: 'user_999' }),
    ]) {
      expect(response.status).toBe(400)
      const body = (await response.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('invalid_input')
      expect(body.error.message).toMatch(/does not isolate users/)
    }
  })
})
