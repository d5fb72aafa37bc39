import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createConversation } from '../../src/core/conversations.js'
import { beginIntent, releaseIntent } from '../../src/core/journal.js'
import { customScope, sessionScope } from '../../src/core/keys.js'
import { rememberMemories } from '../../src/core/memory.js'
import { inspectScope } from '../../src/ops/inspect.js'
import { addTexts, LONG_TEXT, useBackendFixtures } from './fixtures.js'

const { freshBackend } = useBackendFixtures()

describe('inspectScope', () => {
  it('reports what a healthy scope holds, with expiry for sessions', async () => {
    const { backend, layout, input } = await freshBackend()
    const scope = sessionScope('a'.repeat(32))
    const ids = await addTexts(backend, scope, input, { 'a.md': LONG_TEXT('alpha'), 'b.txt': 'bravo' })
    await createConversation(layout, scope)
    await rememberMemories(backend, scope, ['I like Python', 'My name is Ada'])
    const report = await inspectScope(backend, scope, { verify: true, sessionTtlMs: 3600_000 })
    expect(report).toMatchObject({ exists: true, kind: 'session', key: 'a'.repeat(32), healthy: true, problems: [], conversations: 1, memories: 2 })
    expect(report.documents.map((d) => d.id).sort()).toEqual(Object.values(ids).sort())
    expect(report.vectors).toMatchObject({ dimension: 64, space: 'cosine', embedder: backend.embedder.id, deleted: 0 })
    expect(report.vectors.count).toBe(report.documents.reduce((sum, d) => sum + d.chunks, 0))
    expect(report.uploads.files).toBe(2)
    expect(Date.parse(report.expiresAt!) - Date.parse(report.lastActiveAt!)).toBe(3600_000)
    expect(report.paths.vectors).toBe(layout.vectorsDir(scope))
  })

  it('answers exists: false for a missing scope', async () => {
    const { backend } = await freshBackend()
    const report = await inspectScope(backend, customScope('nobody'))
    expect(report).toMatchObject({ exists: false, key: 'nobody', documents: [], lastActiveAt: null, healthy: true })
  })

  it('names orphan uploads, planted links, an unreadable store and an unfinished operation', async () => {
    const { backend, layout, input } = await freshBackend()
    const scope = customScope('user-1')
    await addTexts(backend, scope, input, { 'a.txt': 'alpha' })
    await mkdir(path.join(layout.uploadsDir(scope), 'doc_ffffffffffffffffffffffff'), { recursive: true })
    await writeFile(path.join(layout.uploadsDir(scope), 'doc_ffffffffffffffffffffffff', 'x.txt'), 'orphan')
    const orphan = await inspectScope(backend, scope)
    expect(orphan.healthy).toBe(false)
    expect(orphan.problems).toEqual(['uploads: doc_ffffffffffffffffffffffff/ belongs to no document (orphan)'])

    const broken = customScope('user-2')
    await mkdir(layout.vectorsDir(broken), { recursive: true })
    await writeFile(path.join(layout.vectorsDir(broken), 'bento.json'), '{ not json')
    const corrupt = await inspectScope(backend, broken)
    expect(corrupt.problems.some((p) => p.startsWith('store: '))).toBe(true)

    const intent = await beginIntent(layout, { op: 'migrate-merge', scopes: [scope, broken], phase: 'start', data: {} })
    try {
      const busy = await inspectScope(backend, scope)
      // This process's own intent: its owner is alive, so it is reported as running.
      expect(busy.problems).toContain(`journal: a migrate of user-1 to user-2 is in progress (${intent.id})`)
      expect(busy.pending).toEqual([{ id: intent.id, op: 'migrate-merge', scopes: ['user-1', 'user-2'], running: true, message: 'a migrate of user-1 to user-2 is in progress' }])
    } finally {
      releaseIntent(intent)
    }
  })

  it('does not call 100 near-duplicate notes unhealthy: a point at distance ~0 is found', async () => {
    const { backend, input } = await freshBackend()
    const scope = customScope('notes')
    const files = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`note-${i}.md`, `Meeting notes ${i % 3}: the plan is on track.`]))
    await addTexts(backend, scope, input, files)
    const report = await inspectScope(backend, scope, { verify: true })
    expect(report.problems).toEqual([])
    expect(report.healthy).toBe(true)
  })

  it('calls a live document whose original upload is missing unhealthy', async () => {
    const { backend, layout, input } = await freshBackend()
    const scope = customScope('user-1')
    const ids = await addTexts(backend, scope, input, { 'a.txt': 'alpha', 'b.md': 'bravo' })
    await rm(path.join(layout.uploadsDir(scope), ids['b.md']!), { recursive: true })
    const report = await inspectScope(backend, scope, { verify: true })
    expect(report.healthy).toBe(false)
    expect(report.problems).toEqual([`uploads: document ${ids['b.md']} (b.md) has no original upload`])
  })
})
