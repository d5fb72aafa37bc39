/**
 * Every HTTP route of the app, as the OpenAPI document lists them, answered on the
 * PostgreSQL backend (PGlite over the wire protocol): each is called once with a
 * valid request, in an order that gives later calls something to work on, and must
 * succeed, never answer `refused` (an operation still on data-dir paths) or a 5xx.
 * A route added to the app without a request here fails the test.
 */
import { describe, expect, it } from 'vitest'
import { createPgBackend } from '../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { createBentoServer } from '../../src/server/index.js'
import { startFakeOpenAI } from '../helpers/fake-openai.js'
import { usePgDatabase } from '../helpers/pg.js'
import { jsonRequest, uploadForm } from './helpers.js'

const db = usePgDatabase()

const ADMIN_KEY = 'admin-key-for-the-route-walk-0001'
const USER = 'tenant_a:user_a'

interface Call {
  route: string
  url: string
  init?: RequestInit
  /** Keeps what a later call needs from the answer. */
  keep?: (body: any) => void
}

describe('every HTTP route on the PostgreSQL backend', () => {
  it('answers each route of the OpenAPI document without refused or a 5xx', async () => {
    const fake = await startFakeOpenAI({ reply: () => 'an answer' })
    const embedder = createLocalEmbedder()
    const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${db.schema()}`), embedder, poolSize: 3 })
    const server = createBentoServer({
      backend, embedder, isolation: 'custom', logger: false, openRouterKey: 'sk-test', chat: { baseUrl: fake.url },
      memory: { enabled: true }, accessKeys: { admin: [ADMIN_KEY] },
    })
    try {
      const app = server.getApp()
      const headers = { 'x-bento-admin-key': ADMIN_KEY, 'x-muxi-user-id': USER }
      const json = (method: string, body: unknown) => jsonRequest(method, body, headers)
      const get = { headers }
      const del = { method: 'DELETE', headers }
      const ids = { document: '', session: '', memory: '' }
      const calls: Array<Call | (() => Call)> = [
        { route: 'GET /api/health', url: '/api/health' },
        { route: 'GET /api/openapi.json', url: '/api/openapi.json' },
        { route: 'GET /', url: '/' },
        { route: 'GET /ui/:file', url: '/ui/app.js' },
        { route: 'GET /api/chat/models', url: '/api/chat/models', init: get },
        {
          route: 'POST /api/documents/upload', url: '/api/documents/upload',
          init: { method: 'POST', headers, body: uploadForm('refunds.md', '# Refunds\n\nRefunds are paid within 14 days.', 'text/markdown') },
          keep: (body) => (ids.document = body.documentId),
        },
        { route: 'GET /api/documents/list', url: '/api/documents/list', init: get },
        () => ({ route: 'GET /api/documents/:id', url: `/api/documents/${ids.document}`, init: get }),
        () => ({ route: 'GET /api/documents/:id/file', url: `/api/documents/${ids.document}/file`, init: get }),
        { route: 'POST /api/documents/search', url: '/api/documents/search', init: json('POST', { query: 'refunds', limit: 3 }) },
        { route: 'POST /v1/sessions', url: '/v1/sessions', init: { method: 'POST', headers }, keep: (body) => (ids.session = body.id) },
        () => ({ route: 'POST /api/chat', url: '/api/chat', init: json('POST', { messages: [{ role: 'user', content: 'When are refunds paid?' }], conversationId: ids.session }) }),
        () => ({ route: 'POST /api/chat/stream', url: '/api/chat/stream', init: json('POST', { messages: [{ role: 'user', content: 'And again?' }], conversationId: ids.session }) }),
        () => ({ route: 'POST /v1/chat', url: '/v1/chat', init: json('POST', { message: 'Remember I like Python', session_id: ids.session }) }),
        { route: 'GET /v1/sessions', url: '/v1/sessions', init: get },
        () => ({ route: 'GET /v1/sessions/:id', url: `/v1/sessions/${ids.session}`, init: get }),
        () => ({ route: 'GET /v1/sessions/:id/messages', url: `/v1/sessions/${ids.session}/messages`, init: get }),
        { route: 'POST /v1/memories', url: '/v1/memories', init: json('POST', { content: 'I work at night' }), keep: (body) => (ids.memory = body.memory.id) },
        { route: 'GET /v1/memories', url: '/v1/memories', init: get },
        { route: 'POST /v1/memories/search', url: '/v1/memories/search', init: json('POST', { query: 'night' }) },
        () => ({ route: 'DELETE /v1/memories/:id', url: `/v1/memories/${ids.memory}`, init: del }),
        { route: 'DELETE /v1/memories', url: '/v1/memories', init: del },
        () => ({ route: 'DELETE /v1/sessions/:id', url: `/v1/sessions/${ids.session}`, init: del }),
        { route: 'GET /api/admin/scopes', url: '/api/admin/scopes', init: get },
        { route: 'GET /api/admin/scopes/:scope', url: `/api/admin/scopes/${encodeURIComponent(USER)}`, init: get },
        { route: 'PUT /api/admin/scopes/:scope/quota', url: `/api/admin/scopes/${encodeURIComponent(USER)}/quota`, init: json('PUT', { maxDocuments: 10 }) },
        { route: 'GET /api/admin/scopes/:scope/quota', url: `/api/admin/scopes/${encodeURIComponent(USER)}/quota`, init: get },
        { route: 'DELETE /api/admin/scopes/:scope/quota', url: `/api/admin/scopes/${encodeURIComponent(USER)}/quota`, init: del },
        () => ({ route: 'DELETE /api/documents/:id', url: `/api/documents/${ids.document}`, init: del }),
        { route: 'DELETE /api/documents', url: '/api/documents', init: del },
        { route: 'POST /api/admin/migrate', url: '/api/admin/migrate', init: json('POST', { from: USER, to: 'tenant_a:user_c' }) },
        { route: 'POST /api/admin/cleanup', url: '/api/admin/cleanup', init: json('POST', { olderThanMs: 1, kinds: ['custom'] }) },
      ]

      const answers: Record<string, { status: number; code: string | undefined }> = {}
      for (const entry of calls) {
        const call = typeof entry === 'function' ? entry() : entry
        const response = await app.request(call.url, call.init)
        const body: any = (response.headers.get('content-type') ?? '').includes('application/json') ? await response.json() : await response.text()
        answers[call.route] = { status: response.status, code: body?.error?.code }
        if (response.ok) call.keep?.(body)
      }

      const documented = await (await app.request('/api/openapi.json')).json() as { paths: Record<string, Record<string, { summary: string }>> }
      const operations = Object.entries(documented.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, url: path, summary: operation.summary })))
      // Body middleware on an exact path (PUT /api/chat …) shows in the app's route table and so in the
      // document, with no spec of its own: no route serves it, and it must answer 405, not fail.
      const unserved = operations.filter((operation) => operation.summary === operation.route)
      for (const { route, url } of unserved) {
        const response = await app.request(url, json(route.split(' ')[0]!, {}))
        answers[route] = { status: response.status, code: ((await response.json()) as { error?: { code: string } }).error?.code }
        expect(answers[route], route).toEqual({ status: 405, code: 'method_not_allowed' })
      }
      const routes = operations.map((operation) => operation.route).sort()
      expect(Object.keys(answers).sort(), 'a request for every documented route').toEqual(routes)
      for (const route of routes.filter((route) => !unserved.some((operation) => operation.route === route))) {
        const { status, code } = answers[route]!
        expect({ route, status, code }).toEqual({ route, status: expect.toSatisfy((s: number) => s >= 200 && s < 300), code: undefined })
      }
    } finally {
      await server.stop()
      await fake.close()
    }
  })
})
