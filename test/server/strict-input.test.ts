import { describe, expect, it } from 'vitest'
import { suggestField } from '../../src/server/validation.js'
import { jsonRequest, useServers } from './helpers.js'

const makeServer = useServers()

const errorOf = async (response: Response) => ({ status: response.status, ...((await response.json()) as { error: { code: string; message: string } }).error })

describe('unknown fields are a 400 that names them', () => {
  it('a client sending top_k learns the field is limit, instead of silently getting 5 results', async () => {
    const server = await makeServer()
    const answer = await errorOf(await server.getApp().request('/api/documents/search', jsonRequest('POST', { query: 'refunds', top_k: 20 })))
    expect(answer).toMatchObject({ status: 400, code: 'invalid_input' })
    expect(answer.message).toContain('unknown field "top_k" (did you mean "limit"?)')
  })

  it.each([
    ['/api/chat', { messages: [{ role: 'user', content: 'hi' }], conversation_id: 'sess_x' }, 'conversation_id', 'conversationId'],
    ['/v1/memories/search', { query: 'x', k: 3 }, 'k', 'limit'],
    ['/v1/memories', { content: 'I like tea', text: 'x' }, 'text', undefined],
  ])('%s refuses an unknown field', async (path, body, field, hint) => {
    const server = await makeServer({ memory: { enabled: true } })
    const answer = await errorOf(await server.getApp().request(path, jsonRequest('POST', body)))
    expect(answer.status).toBe(400)
    expect(answer.message).toContain(`unknown field "${field}"`)
    if (hint) expect(answer.message).toContain(`did you mean "${hint}"`)
  })

  it('admin bodies are strict too', async () => {
    const adminKey = 'fma_0123456789abcdef'
    const server = await makeServer({ accessKeys: { admin: [adminKey] } })
    const answer = await errorOf(await server.getApp().request('/api/admin/migrate', jsonRequest('POST', { from: 'shared', to: 'user-1', dry_run: true }, { 'x-bento-admin-key': adminKey })))
    expect(answer.status).toBe(400)
    expect(answer.message).toContain('unknown field "dry_run" (did you mean "dryRun"?)')
  })
})

describe('suggestField', () => {
  it.each([
    ['top_k', ['query', 'limit'], 'limit'],
    ['querry', ['query', 'limit'], 'query'],
    ['on_conflict', ['onConflict'], 'onConflict'],
    ['banana', ['query', 'limit'], undefined],
  ])('%s -> %s', (name, known, expected) => {
    expect(suggestField(name, known)).toBe(expected)
  })
})
