import { describe, expect, it } from 'vitest'
import { jsonRequest, useServers } from './helpers.js'

const makeServer = useServers()
const headers = { 'x-isolation-key': 'pager' }

type App = { request: (p: string, i?: RequestInit) => Response | Promise<Response> }

const walk = async (app: App, path: string, field: string, limit: number) => {
  const ids: string[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 100; pages++) {
    const response = await app.request(`${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers })
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, unknown> & { nextCursor: string | null }
    ids.push(...(body[field] as Array<{ id?: string; content?: string }>).map((row) => row.id ?? row.content!))
    if (body.nextCursor === null) return ids
    cursor = body.nextCursor
  }
  throw new Error('no last page')
}

describe('cursor pagination over HTTP', () => {
  it('documents, conversations, messages and memories page in a stable order without gaps or repeats', async () => {
    const server = await makeServer({ isolation: 'custom', memory: { enabled: true } })
    const app = server.getApp()
    const form = new FormData()
    for (let i = 0; i < 5; i++) form.append('file', new File([`Document number ${i} about topic ${i}.`], `doc-${i}.txt`))
    expect((await app.request('/api/documents/upload', { method: 'POST', headers, body: form })).status).toBe(200)
    const everyDocument = (await (await app.request('/api/documents/list', { headers })).json()) as { documents: Array<{ id: string }>; nextCursor: null }
    expect(everyDocument.nextCursor).toBeNull()
    expect(await walk(app, '/api/documents/list', 'documents', 2)).toEqual(everyDocument.documents.map((doc) => doc.id))

    const created: string[] = []
    for (let i = 0; i < 3; i++) created.push(((await (await app.request('/v1/sessions', { method: 'POST', headers })).json()) as { id: string }).id)
    expect((await walk(app, '/v1/sessions', 'sessions', 2)).sort()).toEqual([...created].sort())

    const conversationId = created[0]!
    for (let i = 0; i < 3; i++) {
      await app.request('/api/chat', jsonRequest('POST', { messages: [{ role: 'user', content: `question ${i}` }], conversationId }, headers))
    }
    const messages = await walk(app, `/v1/sessions/${conversationId}/messages`, 'messages', 4)
    expect(messages).toHaveLength(6)
    expect(messages.filter((_, i) => i % 2 === 0)).toEqual(['question 0', 'question 1', 'question 2'])

    for (const content of ['I like tea', 'I live in Oslo', 'I work at night']) await app.request('/v1/memories', jsonRequest('POST', { content }, headers))
    expect((await walk(app, '/v1/memories', 'memories', 1))).toHaveLength(3)
  })

  it('refuses a bad limit, a forged cursor and an unknown query parameter with a 400 naming them', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    for (const [query, text] of [['limit=0', 'limit'], ['limit=abc', 'limit'], ['cursor=forged', 'cursor'], ['page_size=5', 'did you mean "limit"']] as const) {
      const response = await app.request(`/api/documents/list?${query}`, { headers })
      expect(response.status, query).toBe(400)
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(text)
    }
  })
})
