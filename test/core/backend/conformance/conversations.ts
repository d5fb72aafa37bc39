/**
 * The conversation contract (src/core/backend/contract/conversations.ts) on any
 * backend: registered from describe-backend-conformance.ts, so it runs on every
 * backend the suite runs on. Only the interface is used (no paths, no rows).
 */
import { expect, it } from 'vitest'
import type { StorageBackend } from '../../../../src/core/backend/types.js'
import { customScope, sessionScope, sharedScope, type Scope } from '../../../../src/core/keys.js'

export interface ConversationConformanceContext {
  /** Fresh storage: its backend, a second backend on it, and (where the target can) the scope's lock held elsewhere until released. */
  open(): Promise<{ backend: StorageBackend; reopen(): Promise<StorageBackend>; lockElsewhere: ((scope: Scope) => Promise<() => Promise<void>>) | undefined }>
}

const T0 = Date.parse('2026-03-01T12:00:00Z')
const at = (ms: number) => ({ now: () => new Date(T0 + ms) })
const turn = (question: string, answer: string) => [{ role: 'user' as const, content: question }, { role: 'assistant' as const, content: answer }]

export const describeConversationConformance = (context: ConversationConformanceContext): void => {
  it('conversations: created, appended and read back by this backend and another on the same storage (any replica)', async () => {
    const { backend, reopen } = await context.open()
    const user = customScope('tenant_a:user_1')
    const created = await backend.createConversation(user, at(0))
    expect(created).toEqual({ id: expect.stringMatching(/^sess_[0-9a-f]{32}$/), userId: 'tenant_a:user_1', createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0).toISOString(), messages: [] })
    expect(await backend.scopeExists(user)).toBe(true)

    const other = await reopen()
    await other.appendConversationMessages(user, created.id, turn('Hello', 'Hi there'), at(1000))
    const appended = await backend.appendConversationMessages(user, created.id, [{ role: 'user', content: 'Again' }, { role: 'assistant', content: '', error: { code: 'upstream_error', message: 'The model failed.' } }], at(2000))
    expect(appended.messages).toHaveLength(4)
    for (const reader of [backend, other]) {
      const read = await reader.getConversation(user, created.id)
      expect(read).toMatchObject({ id: created.id, userId: 'tenant_a:user_1', createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0 + 2000).toISOString() })
      expect(read.messages).toEqual([
        { role: 'user', content: 'Hello', createdAt: new Date(T0 + 1000).toISOString() },
        { role: 'assistant', content: 'Hi there', createdAt: new Date(T0 + 1000).toISOString() },
        { role: 'user', content: 'Again', createdAt: new Date(T0 + 2000).toISOString() },
        { role: 'assistant', content: '', createdAt: new Date(T0 + 2000).toISOString(), error: { code: 'upstream_error', message: 'The model failed.' } },
      ])
    }
    expect((await backend.holdings(user)).conversations).toBe(1)
  })

  it('conversations: listed newest activity first with their message counts; a delete is gone for every backend', async () => {
    const { backend, reopen } = await context.open()
    const user = customScope('user-list')
    expect(await backend.listConversations(user)).toEqual([])
    const first = await backend.createConversation(user, at(0))
    const second = await backend.createConversation(user, at(10))
    await backend.appendConversationMessages(user, first.id, turn('q', 'a'), at(20))
    const list = await backend.listConversations(user)
    expect(list).toEqual([
      { id: first.id, userId: 'user-list', createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0 + 20).toISOString(), messageCount: 2 },
      { id: second.id, userId: 'user-list', createdAt: new Date(T0 + 10).toISOString(), updatedAt: new Date(T0 + 10).toISOString(), messageCount: 0 },
    ])
    const other = await reopen()
    await other.deleteConversation(user, first.id)
    await expect(backend.getConversation(user, first.id)).rejects.toMatchObject({ code: 'not_found' })
    await expect(backend.deleteConversation(user, first.id)).rejects.toMatchObject({ code: 'not_found' })
    expect((await backend.listConversations(user)).map((row) => row.id)).toEqual([second.id])
  })

  it('conversations are bound to their scope: every other scope gets not found for get, append and delete', async () => {
    const { backend } = await context.open()
    const owner = customScope('tenant_a:user_1')
    const created = await backend.createConversation(owner)
    for (const stranger of [customScope('tenant_a:user_2'), customScope('tenant_b:user_1'), sharedScope(), sessionScope('0'.repeat(32))]) {
      await expect(backend.getConversation(stranger, created.id)).rejects.toMatchObject({ code: 'not_found' })
      await expect(backend.appendConversationMessages(stranger, created.id, turn('x', 'y'))).rejects.toMatchObject({ code: 'not_found' })
      await expect(backend.deleteConversation(stranger, created.id)).rejects.toMatchObject({ code: 'not_found' })
      expect(await backend.listConversations(stranger)).toEqual([])
    }
    expect((await backend.getConversation(owner, created.id)).messages).toEqual([])
  })

  it('a malformed conversation id is not found and never looked up (no traversal, no SQL)', async () => {
    const { backend } = await context.open()
    const user = customScope('user-ids')
    const created = await backend.createConversation(user)
    const hostile = ['../../shared/shared/conversations/x', `${created.id}/../${created.id}`, `${created.id}' OR '1'='1`, `${created.id.toUpperCase()}`, '', 'sess_', `${created.id}%00`]
    for (const id of hostile) {
      await expect(backend.getConversation(user, id)).rejects.toMatchObject({ code: 'not_found' })
      await expect(backend.appendConversationMessages(user, id, turn('x', 'y'))).rejects.toMatchObject({ code: 'not_found' })
      await expect(backend.deleteConversation(user, id)).rejects.toMatchObject({ code: 'not_found' })
    }
    expect((await backend.listConversations(user)).map((row) => row.id)).toEqual([created.id])
  })

  it('an idle conversation expires after ttlMs: not found, left out of the list, and removed when seen', async () => {
    const { backend } = await context.open()
    const user = customScope('user-ttl')
    const idle = await backend.createConversation(user, at(0))
    const active = await backend.createConversation(user, at(0))
    await backend.appendConversationMessages(user, active.id, turn('still here', 'yes'), { ...at(50_000), ttlMs: 60_000 })
    const later = { ...at(70_000), ttlMs: 60_000 }
    expect((await backend.listConversations(user, later)).map((row) => row.id)).toEqual([active.id])
    await expect(backend.getConversation(user, idle.id, later)).rejects.toMatchObject({ code: 'not_found' })
    await expect(backend.appendConversationMessages(user, idle.id, turn('x', 'y'), later)).rejects.toMatchObject({ code: 'not_found' })
    // Removed when seen expired: without a ttl it is gone too.
    await expect(backend.getConversation(user, idle.id)).rejects.toMatchObject({ code: 'not_found' })
    expect((await backend.holdings(user)).conversations).toBe(1)
  })

  it('appends keep the newest maxMessages; an empty append is invalid input and changes nothing', async () => {
    const { backend } = await context.open()
    const user = customScope('user-cap')
    const created = await backend.createConversation(user)
    for (let i = 0; i < 3; i++) await backend.appendConversationMessages(user, created.id, turn(`q${i}`, `a${i}`), { maxMessages: 4 })
    expect((await backend.getConversation(user, created.id)).messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2'])
    await expect(backend.appendConversationMessages(user, created.id, [])).rejects.toMatchObject({ code: 'invalid_input' })
    expect((await backend.getConversation(user, created.id)).messages).toHaveLength(4)
  })

  it('concurrent turns from two backends on one conversation all land (none overwrites another)', async () => {
    const { backend, reopen } = await context.open()
    const other = await reopen()
    const user = customScope('user-race')
    const created = await backend.createConversation(user)
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? backend : other).appendConversationMessages(user, created.id, turn(`q${i}`, `a${i}`), { lockWaitMs: 30_000 })))
    const contents = (await other.getConversation(user, created.id)).messages.map((m) => m.content)
    expect(contents).toHaveLength(12)
    expect([...contents].sort()).toEqual(Array.from({ length: 6 }, (_, i) => [`a${i}`, `q${i}`]).flat().sort())
  })

  it('a conversation moves with its scope: read, continued and exported under the new key, its owner the new key', async () => {
    const { backend } = await context.open()
    const [from, to] = [customScope('user-before'), customScope('user-after')]
    const created = await backend.createConversation(from, at(0))
    await backend.appendConversationMessages(from, created.id, turn('before the move', 'ok'), at(1000))
    await backend.withScopesLocked([from, to], () => backend.moveScope(from, to, { copy: false }))
    await expect(backend.getConversation(from, created.id)).rejects.toMatchObject({ code: 'not_found' })
    // Before any write under the new key, what was stored still names the old one: every read answers the new.
    expect((await backend.listConversations(to)).map((row) => [row.id, row.userId])).toEqual([[created.id, 'user-after']])
    const exported = await backend.exportScope(to, async (snapshot) => snapshot.conversations)
    expect(exported.map((conversation) => [conversation.id, conversation.userId, conversation.messages.length])).toEqual([[created.id, 'user-after', 2]])
    await backend.appendConversationMessages(to, created.id, turn('after the move', 'ok'), at(2000))
    expect(await backend.getConversation(to, created.id)).toMatchObject({ userId: 'user-after', messages: [{ content: 'before the move' }, { content: 'ok' }, { content: 'after the move' }, { content: 'ok' }] })
  })

  it('conversation writes wait for a scope locked elsewhere, then fail locked and change nothing', async (test) => {
    const { backend, lockElsewhere } = await context.open()
    if (!lockElsewhere) return test.skip()
    const user = customScope('user-conv-locked')
    const created = await backend.createConversation(user)
    const release = await lockElsewhere(user)
    try {
      await expect(backend.appendConversationMessages(user, created.id, turn('x', 'y'), { lockWaitMs: 100 })).rejects.toMatchObject({ code: 'locked' })
      await expect(backend.createConversation(user, { lockWaitMs: 100 })).rejects.toMatchObject({ code: 'locked' })
    } finally {
      await release()
    }
    expect((await backend.getConversation(user, created.id)).messages).toEqual([])
    expect(await backend.listConversations(user)).toHaveLength(1)
  })
}
