/**
 * The typed client against a real listening server on 127.0.0.1: the MUXI
 * page's SDK usage, in TypeScript.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { BentoClientError, createBentoClient } from '../../src/client/index.js'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { hs, SECRET } from '../helpers/jwt.js'

const tempDir = useTempDirs()
const running: Array<BentoServer | FakeOpenAI> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => ('stop' in item ? item.stop() : item.close())))
})

const ADMIN = 'fma_admin_key_0123456789ab'
const CLIENT = 'fmc_client_key_0123456789'

const listen = async (options: Parameters<typeof createBentoServer>[0]) => {
  const server = createBentoServer({ dataDir: await tempDir(), logger: false, ...options })
  running.push(server)
  return { server, ...(await server.start({ port: 0 })) }
}

describe('bento-core/client', () => {
  it('does the MUXI SDK flow: create a session for a user, chat in it, read its history', async () => {
    const fake = await startFakeOpenAI({ reply: () => 'Hello from the model' })
    running.push(fake)
    const { url } = await listen({ isolation: 'custom', openRouterKey: 'sk', chat: { baseUrl: fake.url }, accessKeys: { client: [CLIENT], admin: [ADMIN] } })
    const formation = createBentoClient({ baseUrl: url, isolationKey: 'user_123', clientKey: CLIENT })

    const session = await formation.sessions.create()
    expect(session.user_id).toBe('user_123')
    const response = await formation.chat({ messages: [{ role: 'user', content: 'Hello' }], conversationId: session.id })
    expect(response.content).toBe('Hello from the model')
    const history = await formation.sessions.get(session.id)
    expect(history.messages.map((m) => m.role)).toEqual(['user', 'assistant'])
    expect((await formation.sessions.list()).map((s) => s.id)).toEqual([session.id])

    const stranger = createBentoClient({ baseUrl: url, isolationKey: 'user_999', clientKey: CLIENT })
    await expect(stranger.sessions.get(session.id)).rejects.toMatchObject({ status: 404, code: 'not_found' })
  })

  it('uploads, lists, searches, streams and deletes; admin calls need the admin key', async () => {
    const { url } = await listen({ isolation: 'custom', accessKeys: { client: [CLIENT], admin: [ADMIN] } })
    const bento = createBentoClient({ baseUrl: url, isolationKey: 'user_1', clientKey: CLIENT })
    expect(await bento.health()).toMatchObject({ status: 'ok', isolation: 'custom' })
    const uploaded = await bento.upload({ name: 'otters.md', data: '# Otters\nSea otters hold hands while sleeping.' })
    expect(uploaded.chunks).toBeGreaterThan(0)
    expect((await bento.listDocuments()).map((d) => d.title)).toEqual(['Otters'])
    const found = await bento.search('otters sleeping', 3)
    expect(found.results[0]?.id).toBe(uploaded.documentId)
    expect(found).toMatchObject({ mode: 'hybrid', lexicalIndex: true, noMatch: false })
    expect(await bento.search('qqqzzzkkk', 3, { mode: 'lexical' })).toMatchObject({ mode: 'lexical', noMatch: true, results: [] })
    expect((await bento.search('otters', 3, { mode: 'vector', minScore: 2 })).results).toEqual([])
    const events = []
    for await (const event of bento.chatStream({ messages: [{ role: 'user', content: 'What do otters do?' }] })) events.push(event)
    expect(events.map((e) => e.type)).toEqual(['sources', 'delta', 'done'])
    // A client key on an admin route: 403 forbidden, as curl gets it (the key is sent, not dropped).
    await expect(bento.admin.scopes()).rejects.toMatchObject({ status: 403, code: 'forbidden' })

    const admin = createBentoClient({ baseUrl: url, adminKey: ADMIN })
    const du = await admin.admin.scopes()
    expect(du.scopes.map((s) => s.key)).toEqual(['user_1'])
    expect((await admin.admin.inspect('user_1')).documents).toHaveLength(1)

    await bento.deleteDocument(uploaded.documentId!)
    expect(await bento.listDocuments()).toEqual([])
    const error = await bento.deleteDocument(uploaded.documentId!).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BentoClientError)
    expect(error).toMatchObject({ status: 404, code: 'not_found' })
  })

  it('sends a JWT as Authorization and the access keys in their own headers (--auth jwt)', async () => {
    const { url } = await listen({ auth: { type: 'jwt', secret: SECRET }, accessKeys: { client: [CLIENT], admin: [ADMIN] } })
    let calls = 0
    const alice = createBentoClient({ baseUrl: url, clientKey: CLIENT, token: () => (calls += 1, hs({ sub: 'alice' })) })
    await alice.upload({ name: 'a.md', data: 'alice text' })
    expect((await alice.listDocuments()).map((d) => d.title)).toEqual(['a.md'])
    expect(calls).toBe(2)
    const bob = createBentoClient({ baseUrl: url, clientKey: CLIENT, token: await hs({ sub: 'bob' }), isolationKey: 'alice' })
    expect(await bob.listDocuments()).toEqual([])
    const noToken = createBentoClient({ baseUrl: url, clientKey: CLIENT })
    await expect(noToken.listDocuments()).rejects.toMatchObject({ status: 401, code: 'unauthorized' })
  })

  it("calls the MUXI page's POST /v1/chat and hears when its session expired", async () => {
    const fake = await startFakeOpenAI({ reply: () => 'Hi there' })
    running.push(fake)
    const { url } = await listen({ isolation: 'custom', openRouterKey: 'sk', chat: { baseUrl: fake.url } })
    const formation = createBentoClient({ baseUrl: url })
    const first = await formation.muxiChat({ message: 'Hello', user_id: 'user_123' })
    expect(first).toMatchObject({ user_id: 'user_123', response: 'Hi there' })
    const second = await formation.muxiChat({ message: 'Again', user_id: 'user_123', session_id: first.session_id })
    expect(second.session_id).toBe(first.session_id)

    let t = Date.parse('2026-01-01T00:00:00Z')
    const sessions = await listen({ isolation: 'session', sessionTtlMs: 60_000, now: () => t })
    const expiredIds: string[] = []
    const user = createBentoClient({ baseUrl: sessions.url, onSessionExpired: (id) => expiredIds.push(id) })
    await user.upload({ name: 'a.txt', data: 'text' })
    const old = user.sessionId
    t += 120_000
    expect(await user.listDocuments()).toEqual([])
    expect(expiredIds).toEqual([user.sessionId])
    expect(user.sessionId).not.toBe(old)
  })

  it('adopts the session id the server issues and keeps using it', async () => {
    const { url } = await listen({ isolation: 'session' })
    const bento = createBentoClient({ baseUrl: url })
    expect(bento.sessionId).toBeUndefined()
    await bento.upload({ name: 'a.txt', data: 'session scoped text' })
    expect(bento.sessionId).toMatch(/^[0-9a-f]{32}$/)
    expect(await bento.listDocuments()).toHaveLength(1)
    const other = createBentoClient({ baseUrl: url })
    expect(await other.listDocuments()).toEqual([])
    expect(other.sessionId).not.toBe(bento.sessionId)
  })
})
