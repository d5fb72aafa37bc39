/**
 * Export then import, through the real backend on real data dirs: every
 * document, vector (bit for bit), upload, conversation and memory comes back;
 * exporting changes nothing; an import never merges or crosses embedders.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile, stat, symlink } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StorageBackend, StorePart } from '../../src/core/backend/types.js'
import { appendMessages, createConversation, getConversation, listConversations } from '../../src/core/conversations.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { customScope, sessionScope, type Scope } from '../../src/core/keys.js'
import { listMemories, rememberMemories } from '../../src/core/memory.js'
import { withScopeLock } from '../../src/core/lock.js'
import { exportAllScopes, exportScopeArchive } from '../../src/ops/export.js'
import { applyImport, planImport } from '../../src/ops/import.js'
import { LONG_TEXT, snapshotTree, useBackendFixtures } from './fixtures.js'

const { freshBackend, backendAt, tempDir } = useBackendFixtures()

/** Everything a scope holds, in a form two data dirs can be compared by. */
const contentsOf = async (backend: StorageBackend, scope: Scope) => {
  const store = (part: StorePart) => backend.withStore(scope, async (s) =>
    (await s.exportChunks()).map((chunk) => ({ ...chunk, vector: createHash('sha256').update(Buffer.from(chunk.vector.buffer, chunk.vector.byteOffset, chunk.vector.byteLength)).digest('hex') })), { part })
  const conversations = await Promise.all((await listConversations(backend.layout, scope)).map((summary) => getConversation(backend.layout, scope, summary.id)))
  return {
    documents: await backend.withStore(scope, async (s) => s.listDocuments()),
    chunks: await store('documents'),
    memory: await store('memory'),
    memories: await listMemories(backend, scope),
    uploads: await snapshotTree(backend.layout.uploadsDir(scope)),
    conversations: conversations.map(({ userId: _, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1)),
  }
}

const fillScope = async (fixture: Awaited<ReturnType<typeof freshBackend>>, scope: Scope) => {
  const { backend, layout, add } = fixture
  await add(scope, { 'handbook.md': LONG_TEXT('handbook'), 'notes.txt': 'quarterly notes about invoices', 'faq.json': JSON.stringify({ q: 'refunds?', a: 'within 30 days' }) })
  await rememberMemories(backend, scope, ['I like Python', 'My team is platform'])
  const conversation = await createConversation(layout, scope)
  await appendMessages(layout, scope, conversation.id, [{ role: 'user', content: 'Where is the handbook?' }, { role: 'assistant', content: 'In handbook.md.' }])
  await createConversation(layout, scope)
}

describe('export and import of one scope', () => {
  it('round-trips every document, vector (bit-identical), upload, conversation and memory to another data dir', async () => {
    const source = await freshBackend()
    const scope = customScope('tenant_a:user_1')
    await fillScope(source, scope)
    const expected = await contentsOf(source.backend, scope)
    expect(expected.chunks.length).toBeGreaterThan(3)
    expect(expected.memory).toHaveLength(2)
    expect(expected.conversations).toHaveLength(2)
    expect(Object.keys(expected.uploads)).toHaveLength(6)

    const file = path.join(await tempDir('bento-archive-'), 'user.bento.tar')
    const row = await exportScopeArchive(source.backend, scope, { file })
    expect(row).toMatchObject({ key: 'tenant_a:user_1', kind: 'custom', file, documents: 3, memories: 2, uploads: 3, conversations: 2, embedder: 'local-hash-v1:64', dimension: 64 })
    expect(row.bytes).toBe((await stat(file)).size)

    const target = backendAt(await tempDir())
    const plan = await planImport(target, { file })
    expect(plan.result).toMatchObject({ key: 'tenant_a:user_1', dryRun: true, documents: 3, chunks: expected.chunks.length, memories: 2, uploads: 3, conversations: 2 })
    expect(await target.scopeExists(scope)).toBe(false)
    const result = await applyImport(target, plan)
    expect(result).toMatchObject({ ...plan.result, dryRun: false })
    expect(await contentsOf(target, scope)).toEqual(expected)
    // The imported scope is a working scope: search finds its passages, conversations carry the new owner.
    const [query] = await target.embedder.embed(['quarterly invoices'])
    const [hit] = await target.withStore(scope, (store) => store.search(query!, 1))
    expect(hit?.title).toBe('notes.txt')
    expect((await listConversations(target.layout, scope))[0]!.userId).toBe('tenant_a:user_1')
  })

  it('exporting changes nothing: the data dir is byte-identical afterwards', async () => {
    const source = await freshBackend()
    const scope = sessionScope('ab'.repeat(16))
    await fillScope(source, scope)
    await source.backend.close()
    const before = await snapshotTree(source.root)
    const backend = backendAt(source.root)
    await exportScopeArchive(backend, scope, { file: path.join(await tempDir('bento-archive-'), 'x.bento.tar') })
    await backend.close()
    expect(await snapshotTree(source.root)).toEqual(before)
  })

  it('imports under another key with --as, beside the original, in the same data dir', async () => {
    const source = await freshBackend()
    const scope = customScope('user-1')
    await fillScope(source, scope)
    const file = path.join(await tempDir('bento-archive-'), 'a.bento.tar')
    await exportScopeArchive(source.backend, scope, { file })
    const copy = customScope('user-1-restored')
    const result = await applyImport(source.backend, await planImport(source.backend, { file, as: copy }))
    expect(result).toMatchObject({ key: 'user-1-restored', sourceKey: 'user-1' })
    expect(await contentsOf(source.backend, copy)).toEqual(await contentsOf(source.backend, scope))
  })

  it('refuses a target that holds data (never merges), changing nothing', async () => {
    const source = await freshBackend()
    const scope = customScope('user-1')
    await fillScope(source, scope)
    const file = path.join(await tempDir('bento-archive-'), 'a.bento.tar')
    await exportScopeArchive(source.backend, scope, { file })
    const before = await snapshotTree(path.join(source.root, 'vectors'))
    await expect(planImport(source.backend, { file })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/--as/) })
    expect(await snapshotTree(path.join(source.root, 'vectors'))).toEqual(before)
  })

  it('refuses vectors of another embedder or dimension (embedder_mismatch), writing nothing', async () => {
    const source = await freshBackend()
    const scope = customScope('user-1')
    await fillScope(source, scope)
    const file = path.join(await tempDir('bento-archive-'), 'a.bento.tar')
    await exportScopeArchive(source.backend, scope, { file })
    const root = await tempDir()
    const other = backendAt(root, createLocalEmbedder({ dimension: 32 }))
    await expect(planImport(other, { file })).rejects.toMatchObject({ code: 'embedder_mismatch', message: expect.stringMatching(/local-hash-v1:64.*dimension 64.*local-hash-v1:32/) })
    expect(await snapshotTree(root)).toEqual({})
  })

  it('refuses to overwrite an existing archive without force, and to write into the data dir', async () => {
    const source = await freshBackend()
    const scope = customScope('user-1')
    await source.add(scope, { 'a.txt': 'alpha' })
    const file = path.join(await tempDir('bento-archive-'), 'a.bento.tar')
    await exportScopeArchive(source.backend, scope, { file })
    const first = await readFile(file)
    await expect(exportScopeArchive(source.backend, scope, { file })).rejects.toMatchObject({ code: 'conflict' })
    expect(await readFile(file)).toEqual(first)
    await exportScopeArchive(source.backend, scope, { file, force: true })
    await expect(exportScopeArchive(source.backend, scope, { file: path.join(source.root, 'x.tar') })).rejects.toMatchObject({ code: 'refused' })
  })

  it('--all writes one archive per scope, each importable', async () => {
    const source = await freshBackend()
    const scopes = [customScope('user-1'), customScope('user-2'), sessionScope('cd'.repeat(16))]
    for (const [i, scope] of scopes.entries()) await source.add(scope, { [`f${i}.txt`]: `file ${i} of scope ${scope.key}` })
    const dir = await tempDir('bento-archive-')
    const result = await exportAllScopes(source.backend, { dir })
    expect(result.failed).toEqual([])
    expect(result.archives.map((row) => path.basename(row.file)).sort()).toEqual(['session-cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd.bento.tar', 'user-1.bento.tar', 'user-2.bento.tar'])
    const target = backendAt(await tempDir())
    for (const row of result.archives) await applyImport(target, await planImport(target, { file: row.file }))
    for (const scope of scopes) expect(await contentsOf(target, scope)).toEqual(await contentsOf(source.backend, scope))
  })

  it('--all reports a scope it cannot export (locked elsewhere) and still writes the others', async () => {
    const source = await freshBackend()
    const [free, held] = [customScope('user-free'), customScope('user-held')]
    await source.add(free, { 'a.txt': 'alpha' })
    await source.add(held, { 'b.txt': 'bravo' })
    const dir = await tempDir('bento-archive-')
    const result = await withScopeLock(source.layout, held, () => exportAllScopes(source.backend, { dir, lockWaitMs: 0 }))
    expect(result.archives.map((row) => row.key)).toEqual(['user-free'])
    expect(result.failed).toEqual([expect.objectContaining({ key: 'user-held', code: 'locked' })])
  })

  it('refuses to export a scope whose uploads hold a symlink, and writes no archive', async () => {
    const source = await freshBackend()
    const scope = customScope('user-1')
    const ids = await source.add(scope, { 'a.txt': 'alpha' })
    await symlink('/etc/passwd', path.join(source.layout.uploadsDir(scope), ids['a.txt']!, 'passwd'))
    const dir = await tempDir('bento-archive-')
    await expect(exportScopeArchive(source.backend, scope, { file: path.join(dir, 'a.tar') })).rejects.toMatchObject({ code: 'unsafe_path' })
    expect(await readdir(dir)).toEqual([])
  })
})
