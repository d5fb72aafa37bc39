import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { appendMessages, createConversation, getConversation, listConversations } from '../../src/core/conversations.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { customScope, sessionScope, sharedScope } from '../../src/core/keys.js'
import type { Scope } from '../../src/core/keys.js'
import { listMemories, rememberMemories } from '../../src/core/memory.js'
import { applyMigrate, planMigrate } from '../../src/ops/migrate.js'
import { deriveClashId } from '../../src/core/backend/scope-merge.js'
import { searchScope } from '../../src/ops/search.js'
import { normalizeLikeHnswlib } from '../../src/core/store/cosine.js'
import { addTexts, chunkTexts, documentIds, LONG_TEXT, snapshotTree, useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt, freshBackend } = useBackendFixtures()

const migrate = async (backend: StorageBackend, from: Scope, to: Scope, copy = false) =>
  applyMigrate(backend, await planMigrate(backend, { from, to, copy }))

/** A deterministic pseudo-random vector (xorshift), components in [-1, 1), as test/core/store/cosine.test.ts. */
const vectorOf = (seed: number, dimension: number): number[] => {
  let x = seed * 2654435761 || 1
  return Array.from({ length: dimension }, () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return ((x >>> 0) / 2 ** 32) * 2 - 1
  })
}
const bits = (vector: ArrayLike<number>) => Buffer.from(Float32Array.from(vector).buffer).toString('hex')

const gone = async (p: string) => readdir(path.dirname(p)).then((names) => !names.includes(path.basename(p)), () => true)

/**
 * A migrate records the target's activity as now (it is a write), so the moved tree differs there only:
 * in the activity file, or in its temp file while that coalesced write is still in flight.
 */
const withoutActivity = (tree: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(tree).filter(([name]) => name !== 'activity.json' && !name.startsWith('.activity.json.tmp-')))

describe('migrate', () => {
  it('renames shared into a new user scope: every byte moves, nothing is re-embedded', async () => {
    const { backend, layout, add } = await freshBackend()
    const shared = sharedScope()
    const user = customScope('user-123')
    await add(shared, { 'whales.md': LONG_TEXT('whale'), 'notes.txt': 'Short note about lighthouses.' })
    const conversation = await createConversation(layout, shared)
    await appendMessages(layout, shared, conversation.id, [{ role: 'user', content: 'hi' }])
    await rememberMemories(backend, shared, ['I like Python'])
    await backend.evict(shared)
    const before = { vectors: await snapshotTree(layout.vectorsDir(shared)), uploads: await snapshotTree(layout.uploadsDir(shared)) }

    const plan = await planMigrate(backend, { from: shared, to: user })
    expect(plan.mode).toBe('rename')
    expect(plan.result).toMatchObject({ dryRun: true, documents: 2, conversations: 1, uploads: 2 })
    const result = await applyMigrate(backend, plan)
    expect(result).toMatchObject({ from: 'shared', to: 'user-123', mode: 'rename', copy: false, dryRun: false, documents: 2 })

    expect(withoutActivity(await snapshotTree(layout.vectorsDir(user)))).toEqual(withoutActivity(before.vectors))
    expect(await snapshotTree(layout.uploadsDir(user))).toEqual(before.uploads)
    expect(await gone(layout.vectorsDir(shared))).toBe(true)
    expect(await gone(layout.uploadsDir(shared))).toBe(true)
    const hits = await searchScope(backend, user, 'whale subsystem', { k: 1 })
    expect(hits.results[0]?.title).toMatch(/whale/i)
    expect((await listConversations(layout, user)).map((c) => c.id)).toEqual([conversation.id])
    expect((await listMemories(backend, user)).map((m) => m.content)).toEqual(['I like Python'])
    expect(await readdir(layout.journalDir)).toEqual([])
  })

  it('makes migrated conversations report their new key (rename and merge), without rewriting them during a rename', async () => {
    const { backend, layout, add } = await freshBackend()
    const [a, b, c] = [customScope('user-a'), customScope('user-b'), customScope('tenant_c:user_c')]
    const conversation = await createConversation(layout, a)
    await appendMessages(layout, a, conversation.id, [{ role: 'user', content: 'hello from a' }])
    const file = path.join(layout.conversationsDir(b), `${conversation.id}.json`)

    expect(await migrate(backend, a, b)).toMatchObject({ mode: 'rename' })
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ userId: 'user-a' }) // moved as it was: a rename is O(1)
    expect(await getConversation(layout, b, conversation.id)).toMatchObject({ id: conversation.id, userId: 'user-b', messages: [expect.objectContaining({ content: 'hello from a' })] })
    expect((await listConversations(layout, b)).map((summary) => [summary.id, summary.userId])).toEqual([[conversation.id, 'user-b']])
    await appendMessages(layout, b, conversation.id, [{ role: 'assistant', content: 'hi b' }])
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ userId: 'user-b' }) // the next write stores the owner too

    await add(c, { 'c.txt': 'the target is not empty' })
    expect(await migrate(backend, b, c)).toMatchObject({ mode: 'merge' })
    expect((await getConversation(layout, c, conversation.id)).userId).toBe('tenant_c:user_c')
    expect((await listConversations(layout, c)).map((summary) => summary.userId)).toEqual(['tenant_c:user_c'])
  })

  it('copies with --copy and leaves the source byte-identical', async () => {
    const { backend, layout, add } = await freshBackend()
    const from = customScope('user-1')
    const to = customScope('tenant_a:user_1')
    await add(from, { 'a.md': LONG_TEXT('alpha') })
    await backend.evict(from)
    const before = await snapshotTree(layout.vectorsDir(from))
    const result = await migrate(backend, from, to, true)
    expect(result).toMatchObject({ mode: 'rename', copy: true })
    expect(await snapshotTree(layout.vectorsDir(from))).toEqual(before)
    expect(withoutActivity(await snapshotTree(layout.vectorsDir(to)))).toEqual(withoutActivity(before))
    expect(await chunkTexts(backend, to)).toEqual(await chunkTexts(backend, from))
    expect(await readdir(layout.trashDir)).toEqual([])
  })

  it('merges into a non-empty target without re-embedding, copying uploads per document', async () => {
    const { backend, layout, add } = await freshBackend()
    const from = sessionScope('c'.repeat(32))
    const to = customScope('user-9')
    const fromIds = await add(from, { 'a.md': LONG_TEXT('alpha'), 'c.txt': 'charlie text' })
    const toIds = await add(to, { 'b.md': LONG_TEXT('bravo') })
    const expected = [...(await chunkTexts(backend, from)), ...(await chunkTexts(backend, to))].sort()
    const targetUploadBefore = await snapshotTree(path.join(layout.uploadsDir(to), toIds['b.md']!))
    const plan = await planMigrate(backend, { from, to })
    expect(plan.mode).toBe('merge')
    const result = await migrate(backend, from, to)
    expect(result).toMatchObject({ mode: 'merge', documents: 2, uploads: 2, renamed: [], alreadyPresent: 0 })
    expect(await documentIds(backend, to)).toEqual([...Object.values(fromIds), ...Object.values(toIds)].sort())
    expect(await chunkTexts(backend, to)).toEqual(expected)
    for (const [name, id] of Object.entries(fromIds)) expect(await readdir(path.join(layout.uploadsDir(to), id))).toEqual([name])
    expect(await snapshotTree(path.join(layout.uploadsDir(to), toIds['b.md']!))).toEqual(targetUploadBefore)
    expect(await gone(layout.vectorsDir(from))).toBe(true)
    expect(await gone(layout.uploadsDir(from))).toBe(true)
    expect((await searchScope(backend, to, 'charlie', { k: 1 })).results[0]?.content).toBe('charlie text')
  })

  it('merges stored vectors bit for bit: a cosine vector is not normalized a second time (it drifts)', async () => {
    const { backend, add } = await freshBackend()
    const from = customScope('raw-source')
    const to = customScope('raw-target')
    const dimension = backend.embedder.dimension
    // Raw, unnormalized vectors of the store's dimension, as a remote embedder may return them.
    const chunks = Array.from({ length: 300 }, (_, i) => ({ documentId: `doc-${String(i).padStart(24, '0')}`, title: 't', text: `raw chunk ${i}`, chunkIndex: 0, vector: vectorOf(i + 7, dimension) }))
    await backend.withStore(from, (store) => store.add(chunks), { write: true })
    await add(to, { 'b.md': LONG_TEXT('bravo') })
    const exported = await backend.withStore(from, (store) => store.exportChunks())
    // What this guards against: hnswlib's normalization applied to its own output changes some vectors.
    expect(exported.filter((chunk) => bits(normalizeLikeHnswlib(chunk.vector)) !== bits(chunk.vector)).length).toBeGreaterThan(0)

    await migrate(backend, from, to)
    const merged = new Map((await backend.withStore(to, (store) => store.exportChunks())).map((chunk) => [chunk.documentId, bits(chunk.vector)]))
    for (const chunk of exported) expect(merged.get(chunk.documentId), chunk.documentId).toBe(bits(chunk.vector))
  })

  it('merges every document in one target commit, not one commit (a whole-store rewrite) per document', async () => {
    const { backend, add } = await freshBackend()
    const from = customScope('many-docs')
    const to = customScope('target')
    await add(from, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`d${i}.txt`, `document number ${i}`])))
    await add(to, { 'b.md': LONG_TEXT('bravo') })
    const revision = () => backend.withStore(to, async (store) => store.stats().revision)
    const before = await revision()
    const result = await migrate(backend, from, to)
    expect(result).toMatchObject({ mode: 'merge', documents: 6 })
    expect(await revision()).toBe(before + 1)
    expect((await chunkTexts(backend, to)).filter((text) => text.includes('document number'))).toHaveLength(6)
  })

  it('never overwrites on a name clash: identical documents are skipped, different ones get a new id', async () => {
    const { backend, layout, add } = await freshBackend()
    const from = customScope('alice')
    const to = customScope('bob')
    await add(from, { 'same.txt': 'identical in both scopes' })
    await add(to, { 'same.txt': 'identical in both scopes' })
    const clash = `doc_${'a'.repeat(24)}`
    const put = async (scope: Scope, text: string) => {
      const [vector] = await backend.embedder.embed([text])
      await backend.withStore(scope, (store) => store.add([{ documentId: clash, title: 'clash', text, chunkIndex: 0, vector: vector! }]), { write: true })
      await mkdir(path.join(layout.uploadsDir(scope), clash), { recursive: true })
      await writeFile(path.join(layout.uploadsDir(scope), clash, 'clash.txt'), text)
    }
    await put(from, 'the source version')
    await put(to, 'the target version')
    const convFrom = await createConversation(layout, from)
    await mkdir(layout.conversationsDir(to), { recursive: true })
    const clashingConversation = path.join(layout.conversationsDir(to), `${convFrom.id}.json`)
    await writeFile(clashingConversation, JSON.stringify({ other: true }))

    const result = await migrate(backend, from, to)
    const newId = deriveClashId(clash, from.dir)
    expect(newId).toMatch(/^doc_[0-9a-f]{24}$/)
    expect(result.alreadyPresent).toBe(1)
    expect(result.renamed).toContainEqual({ from: clash, to: newId })
    expect(result.renamed.some((r) => r.from === `${convFrom.id}.json` && /^sess_[0-9a-f]{32}\.json$/.test(r.to))).toBe(true)
    const texts = await chunkTexts(backend, to)
    expect(texts).toContain(`${clash}#0:the target version`)
    expect(texts).toContain(`${newId}#0:the source version`)
    expect(texts.filter((t) => t.endsWith('identical in both scopes'))).toHaveLength(1)
    expect(await readFile(path.join(layout.uploadsDir(to), clash, 'clash.txt'), 'utf8')).toBe('the target version')
    expect(await readFile(path.join(layout.uploadsDir(to), newId, 'clash.txt'), 'utf8')).toBe('the source version')
    expect(await readFile(clashingConversation, 'utf8')).toBe(JSON.stringify({ other: true }))
    expect(await readdir(layout.conversationsDir(to))).toHaveLength(2)
    // The renamed conversation is readable under its new id (the id inside the file follows the name).
    const renamedConversation = result.renamed.find((r) => r.from === `${convFrom.id}.json`)!.to.slice(0, -'.json'.length)
    expect(await getConversation(layout, to, renamedConversation)).toMatchObject({ id: renamedConversation, userId: 'bob', createdAt: convFrom.createdAt })
    expect((await listConversations(layout, to)).map((c) => c.id)).toEqual([renamedConversation])
  })

  it('refuses to merge stores built with different embedders, saying what to do', async () => {
    const { root, backend, add } = await freshBackend()
    const a64 = customScope('user-a')
    const b32 = customScope('user-b')
    await add(a64, { 'a.txt': 'alpha' })
    const other = backendAt(root, createLocalEmbedder({ dimension: 32 }))
    await addTexts(other, b32, path.join(await tempDir('bento-input-'), 'x'), { 'b.txt': 'bravo' })
    await other.evict(b32)
    // Into a target the configured embedder cannot write to.
    await expect(planMigrate(backend, { from: a64, to: b32 })).rejects.toMatchObject({ code: 'refused' })
    await expect(planMigrate(backend, { from: a64, to: b32 })).rejects.toThrow(/configured embedder/)
    // From a source whose vectors are not comparable with the target's.
    await expect(planMigrate(backend, { from: b32, to: a64 })).rejects.toThrow(/dimension 32 vs 64.*bento add/s)
    expect(await documentIds(backend, a64)).toHaveLength(1)
  })

  it('moves a user back to shared, and rejects same-scope and missing sources', async () => {
    const { backend, add } = await freshBackend()
    const user = customScope('user-1')
    const ids = await add(user, { 'a.txt': 'alpha text' })
    expect((await migrate(backend, user, sharedScope())).mode).toBe('rename')
    expect(await documentIds(backend, sharedScope())).toEqual(Object.values(ids))
    expect(await backend.scopeExists(user)).toBe(false)
    await expect(planMigrate(backend, { from: sharedScope(), to: sharedScope() })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(planMigrate(backend, { from: user, to: sharedScope() })).rejects.toMatchObject({ code: 'not_found' })
  })

  it('refuses to migrate a scope holding a symlink, before changing anything', async () => {
    const { backend, layout, add } = await freshBackend()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'secret'), 'secret')
    const from = customScope('user-1')
    const to = customScope('user-2')
    const ids = await add(from, { 'a.txt': 'alpha text' })
    await symlink(path.join(outside, 'secret'), path.join(layout.uploadsDir(from), ids['a.txt']!, 'link'))
    const before = await snapshotTree(layout.root)
    for (const copy of [false, true]) {
      await expect(migrate(backend, from, to, copy)).rejects.toMatchObject({ code: 'unsafe_path' })
    }
    await backend.evict(from)
    const after = await snapshotTree(layout.root)
    const ignoreLocks = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).filter(([p]) => !p.startsWith('.bento')))
    expect(ignoreLocks(after)).toEqual(ignoreLocks(before))
    expect(await readFile(path.join(outside, 'secret'), 'utf8')).toBe('secret')
  })

  it('refuses to apply a plan whose target filled up since planning', async () => {
    const { backend, add } = await freshBackend()
    const from = customScope('user-1')
    const to = customScope('user-2')
    await add(from, { 'a.txt': 'alpha text' })
    const plan = await planMigrate(backend, { from, to })
    await add(to, { 'b.txt': 'bravo text' })
    await expect(applyMigrate(backend, plan)).rejects.toMatchObject({ code: 'conflict' })
    expect(await backend.scopeExists(from)).toBe(true)
  })
})
