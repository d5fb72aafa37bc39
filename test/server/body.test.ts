/**
 * JSON bodies over real HTTP, where Bento reads the Node request stream itself
 * (src/server/node-request.ts), and through `app.request()`, where it reads the
 * web body: the same answers, the same limits, and operator middleware that
 * reads or replaces the body is never bypassed.
 */
import http from 'node:http'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import type { BentoServer } from '../../src/server/index.js'
import { useServers } from './helpers.js'

const makeServer = useServers()
const USER = { 'x-isolation-key': 'user-body' }

interface Answer {
  status: number
  json: { query?: string; results?: unknown[]; error?: { code: string; message: string } }
}

/** POSTs `parts` one write each; without `contentLength` Node sends them chunked. */
const post = (url: string, path: string, parts: Array<string | Buffer>, headers: Record<string, string> = {}): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const request = http.request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...USER, ...headers } }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }))
    })
    request.on('error', reject)
    for (const part of parts) request.write(part)
    request.end()
  })

const listen = async (server: BentoServer): Promise<string> => (await server.start({ port: 0 })).url

/** Records, after Bento answered, whether the web body of the request was used. */
const watchWebBody = (server: BentoServer): boolean[] => {
  const used: boolean[] = []
  server.getApp().use('*', async (c, next) => {
    await next()
    used.push(c.req.raw.bodyUsed)
  })
  return used
}

describe('JSON bodies', () => {
  it('reads the Node stream over HTTP and the web body in process, with the same answer', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const used = watchWebBody(server)
    const url = await listen(server)
    const body = JSON.stringify({ query: 'commit the index', limit: 3 })

    const overHttp = await post(url, '/api/documents/search', [body])
    const inProcess = await server.getApp().request('/api/documents/search', { method: 'POST', headers: { 'content-type': 'application/json', ...USER }, body })

    expect(overHttp).toEqual({ status: 200, json: { query: 'commit the index', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] } })
    expect(inProcess.status).toBe(200)
    expect(await inProcess.json()).toEqual(overHttp.json)
    expect(used).toEqual([false, true])
  })

  it('reads a chunked body and refuses one that grows past the limit with 413, then keeps serving', async () => {
    const server = await makeServer({ isolation: 'custom', maxJsonBytes: 2048 })
    const url = await listen(server)

    const small = await post(url, '/api/documents/search', ['{"query":', '"split ', 'across chunks"}'])
    expect(small).toEqual({ status: 200, json: { query: 'split across chunks', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] } })

    const big = await post(url, '/api/documents/search', ['{"query":"', 'q'.repeat(1500), 'q'.repeat(1500), '"}'])
    expect(big.status).toBe(413)
    expect(big.json.error).toEqual({ code: 'too_large', message: 'The request body is larger than the 2048-byte limit.' })

    expect((await post(url, '/api/documents/search', [JSON.stringify({ query: 'still here' })])).status).toBe(200)
  })

  it('refuses a declared length over the limit with 413 over HTTP and in process', async () => {
    const server = await makeServer({ isolation: 'custom', maxJsonBytes: 2048 })
    const url = await listen(server)
    const body = JSON.stringify({ query: 'q'.repeat(3000) })

    const overHttp = await post(url, '/api/documents/search', [body], { 'content-length': String(Buffer.byteLength(body)) })
    const inProcess = await server.getApp().request('/api/documents/search', { method: 'POST', headers: { 'content-type': 'application/json', ...USER }, body })

    expect(overHttp.status).toBe(413)
    expect(overHttp.json.error?.code).toBe('too_large')
    expect(inProcess.status).toBe(413)
  })

  it('drops a UTF-8 byte order mark, as Request.text() does', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const url = await listen(server)
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ query: 'bom' }))])

    expect(await post(url, '/api/documents/search', [body])).toEqual({ status: 200, json: { query: 'bom', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] } })
    const inProcess = await server.getApp().request('/api/documents/search', { method: 'POST', headers: { 'content-type': 'application/json', ...USER }, body })
    expect(await inProcess.json()).toEqual({ query: 'bom', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] })
  })

  it('answers 400, not a crash, for invalid JSON read from the Node stream', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const url = await listen(server)
    const answer = await post(url, '/api/documents/search', ['{"query": '])
    expect(answer).toEqual({ status: 400, json: { error: { code: 'invalid_input', message: 'The request body is not valid JSON.' } } })
  })

  it('survives a client that hangs up halfway through its body', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const url = await listen(server)
    const { port } = new URL(url)
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: Number(port) }, () => {
        socket.write(`POST /api/documents/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-isolation-key: user-body\r\nContent-Length: 1000\r\n\r\n{"query":"cut`)
        setTimeout(() => socket.destroy(), 50)
      })
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    expect(await post(url, '/api/documents/search', [JSON.stringify({ query: 'next one' })])).toEqual({ status: 200, json: { query: 'next one', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] } })
  })
})

describe('operator middleware and the body', () => {
  it('still reads a body the middleware consumed over HTTP', async () => {
    const server = await makeServer({ isolation: 'custom' })
    server.getApp().use('*', async (c, next) => {
      // Bodies are strict (an unknown field is a 400), so the middleware reads one of Bento's own fields.
      const body = (await c.req.json()) as { query?: string }
      c.set('isolationKey', body.query === 'consumed first' ? 'acme' : 'nobody')
      await next()
    })
    const url = await listen(server)
    const answer = await post(url, '/api/documents/search', [JSON.stringify({ query: 'consumed first' })], { 'x-isolation-key': '' })
    expect(answer).toEqual({ status: 200, json: { query: 'consumed first', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] } })
  })

  it('reads the body of a request the middleware replaced, never the original stream', async () => {
    const server = await makeServer({ isolation: 'custom' })
    server.getApp().use('*', async (c, next) => {
      c.req.raw = new Request(c.req.raw.url, { method: 'POST', headers: c.req.raw.headers, body: JSON.stringify({ query: 'rewritten by the operator' }) })
      await next()
    })
    const url = await listen(server)
    const answer = await post(url, '/api/documents/search', [JSON.stringify({ query: 'sent by the client' })])
    expect(answer).toEqual({ status: 200, json: { query: 'rewritten by the operator', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] } })
  })
})
