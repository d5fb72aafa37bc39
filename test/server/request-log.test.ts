import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { uploadForm, useServers } from './helpers.js'

const makeServer = useServers()

const captureLogger = () => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

describe('request logs', () => {
  it('logs one line per request with route pattern, status and a scope hash, never the key, session id or access key', async () => {
    const { logger, lines } = captureLogger()
    const sessionKey = 'alice-secret-key-7f3a'
    const accessKey = 'fmc_client_key_0123456789'
    const server = await makeServer({ isolation: 'custom', logger, accessKeys: { client: [accessKey] } })
    const app = server.getApp()
    const headers = { 'x-isolation-key': sessionKey, 'x-bento-client-key': accessKey }
    await app.request('/api/documents/upload', { method: 'POST', headers, body: uploadForm('a.txt', 'hello') })
    const session = (await (await app.request('/v1/sessions', { method: 'POST', headers })).json()) as { id: string }
    await app.request(`/v1/sessions/${session.id}`, { headers })
    await app.request('/api/documents/list', { headers: { 'x-isolation-key': sessionKey } })

    const sessionServer = await makeServer({ isolation: 'session', logger })
    const sessionResponse = await sessionServer.getApp().request('/api/documents/list')
    const sessionId = sessionResponse.headers.get('x-session-id')!

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records).toHaveLength(5)
    expect(records[0]).toMatchObject({ method: 'POST', route: '/api/documents/upload', status: 200, scope: expect.stringMatching(/^[0-9a-f]{12}$/), kind: 'custom' })
    expect(records[2]).toMatchObject({ route: '/v1/sessions/:id', status: 200 })
    expect(records[3]).toMatchObject({ route: '/api/documents/list', status: 401 })
    expect(records[0]?.scope).toBe(records[1]?.scope)
    const all = lines.join('\n')
    for (const secret of [sessionKey, accessKey, session.id, sessionId]) expect(all).not.toContain(secret)
  })
})
