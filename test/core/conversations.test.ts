import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { appendMessages, createConversation, deleteConversation, getConversation, listConversations } from '../../src/core/conversations.js'
import { BusyError, NotFoundError, UnsafePathError } from '../../src/core/errors.js'
import { beginIntent, endIntent, releaseIntent } from '../../src/core/journal.js'
import { customScope, sessionScope, sharedScope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()

describe('conversations', () => {
  it('creates a conversation in the scope and reads it back with its messages', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user_123')
    const created = await createConversation(layout, scope)
    expect(created.id).toMatch(/^sess_[0-9a-f]{32}$/)
    expect(created.userId).toBe('user_123')
    expect(await readdir(layout.conversationsDir(scope))).toEqual([`${created.id}.json`])

    await appendMessages(layout, scope, created.id, [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi there' }])
    const read = await getConversation(layout, scope, created.id)
    expect(read.messages.map((m) => [m.role, m.content])).toEqual([['user', 'Hello'], ['assistant', 'Hi there']])
  })

  it('is bound to its scope: another scope gets not found, even for a valid id', async () => {
    const layout = createLayout(await tempDir())
    const owner = customScope('tenant_a:user_1')
    const created = await createConversation(layout, owner)
    for (const other of [customScope('tenant_a:user_2'), sharedScope(), sessionScope('0'.repeat(32))]) {
      await expect(getConversation(layout, other, created.id)).rejects.toBeInstanceOf(NotFoundError)
      await expect(appendMessages(layout, other, created.id, [{ role: 'user', content: 'x' }])).rejects.toBeInstanceOf(NotFoundError)
      await expect(deleteConversation(layout, other, created.id)).rejects.toBeInstanceOf(NotFoundError)
      expect(await listConversations(layout, other)).toEqual([])
    }
    expect((await getConversation(layout, owner, created.id)).id).toBe(created.id)
  })

  it('never turns a malformed id into a path (../ traversal is not found, not read)', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user_1')
    for (const id of ['../shared/conversations/x', 'sess_../../etc', '..', 'sess_ABC', `sess_${'a'.repeat(33)}`]) {
      await expect(getConversation(layout, scope, id)).rejects.toBeInstanceOf(NotFoundError)
    }
  })

  it('expires an idle conversation after the timeout and removes its file', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user_1')
    let now = new Date('2025-01-08T10:00:00Z')
    const clock = { now: () => now, ttlMs: 3600_000 }
    const created = await createConversation(layout, scope, clock)
    now = new Date('2025-01-08T10:59:00Z')
    await appendMessages(layout, scope, created.id, [{ role: 'user', content: 'still here' }], clock)
    now = new Date('2025-01-08T11:58:00Z')
    expect((await getConversation(layout, scope, created.id, clock)).messages).toHaveLength(1)
    now = new Date('2025-01-08T12:00:00Z')
    await expect(getConversation(layout, scope, created.id, clock)).rejects.toThrow(/expired/)
    expect(await readdir(layout.conversationsDir(scope))).toEqual([])
    expect(await listConversations(layout, scope, clock)).toEqual([])
  })

  it('keeps every turn when many appends race on one conversation', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user_1')
    const created = await createConversation(layout, scope)
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendMessages(layout, scope, created.id, [{ role: 'user', content: `m${i}` }])))
    const read = await getConversation(layout, scope, created.id)
    expect(read.messages.map((m) => m.content).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort())
  })

  it('lists newest first and caps the stored messages', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user_1')
    let now = new Date('2025-01-01T00:00:00Z')
    const clock = { now: () => now, maxMessages: 3 }
    const first = await createConversation(layout, scope, clock)
    now = new Date('2025-01-02T00:00:00Z')
    const second = await createConversation(layout, scope, clock)
    now = new Date('2025-01-03T00:00:00Z')
    await appendMessages(layout, scope, first.id, ['a', 'b', 'c', 'd'].map((content) => ({ role: 'user' as const, content })), clock)
    const list = await listConversations(layout, scope, clock)
    expect(list.map((c) => c.id)).toEqual([first.id, second.id])
    expect(list[0]?.messageCount).toBe(3)
    expect((await getConversation(layout, scope, first.id)).messages.map((m) => m.content)).toEqual(['b', 'c', 'd'])
  })

  it('refuses a conversations dir that is a symlink out of the data dir', async () => {
    const root = await tempDir()
    const outside = await tempDir()
    const layout = createLayout(root)
    const scope = customScope('user_1')
    await mkdir(layout.vectorsDir(scope), { recursive: true })
    await writeFile(path.join(outside, `sess_${'a'.repeat(32)}.json`), '{}')
    await symlink(outside, layout.conversationsDir(scope))
    await expect(listConversations(layout, scope)).rejects.toBeInstanceOf(UnsafePathError)
    await expect(getConversation(layout, scope, `sess_${'a'.repeat(32)}`)).rejects.toBeInstanceOf(UnsafePathError)
    await expect(createConversation(layout, scope)).rejects.toBeInstanceOf(UnsafePathError)
  })

  it('a scope with an interrupted migrate: its conversations are neither read nor written until it is finished', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user_123')
    const created = await createConversation(layout, scope)
    const intent = await beginIntent(layout, { op: 'migrate-rename', scopes: [scope, customScope('user_456')], phase: 'start', data: { copy: false } })
    releaseIntent(intent) // its owner is gone: nobody holds the scope's lock
    await expect(getConversation(layout, scope, created.id)).rejects.toBeInstanceOf(BusyError)
    await expect(listConversations(layout, scope)).rejects.toBeInstanceOf(BusyError)
    await expect(createConversation(layout, scope)).rejects.toBeInstanceOf(BusyError)
    await expect(appendMessages(layout, scope, created.id, [{ role: 'user', content: 'lost?' }])).rejects.toBeInstanceOf(BusyError)
    await expect(deleteConversation(layout, scope, created.id)).rejects.toBeInstanceOf(BusyError)
    await endIntent(layout, intent)
    expect((await getConversation(layout, scope, created.id)).messages).toEqual([])
  })
})
