import path from 'node:path'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { rememberMemories } from '../../src/core/memory.js'
import { inspectScope } from '../../src/ops/inspect.js'
import { reindexScopes } from '../../src/ops/reindex.js'
import { searchScope } from '../../src/ops/search.js'
import { removeLexicalIndex } from '../helpers/old-store.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { addTexts, useBackendFixtures } from './fixtures.js'

const { freshBackend, tempDir, backendAt } = useBackendFixtures()

/** The real local embedder, counting what it embeds. */
const counting = () => {
  const inner = createLocalEmbedder({ dimension: 64 })
  const counter = { texts: 0 }
  return { counter, embedder: { id: inner.id, dimension: inner.dimension, embed: async (texts: string[]) => ((counter.texts += texts.length), inner.embed(texts)) } }
}

describe('reindexScopes', () => {
  it('builds the lexical index of old stores (documents and memory) without re-embedding, once, with progress', async () => {
    const { counter, embedder } = counting()
    const backend = backendAt(await tempDir(), embedder)
    const layout = backend.layout
    const input = await tempDir('bento-input-')
    const add = (scope: ReturnType<typeof customScope>, files: Record<string, string>) => addTexts(backend, scope, path.join(input, scope.key), files)
    const user = customScope('user-1')
    const other = customScope('user-2')
    await add(user, { 'refunds.md': 'Refunds are paid within 14 days.' })
    await add(other, { 'ships.md': 'Ships sail at dawn.' })
    await rememberMemories(backend, user, ['I like Python'])
    await backend.evict(user)
    await removeLexicalIndex(layout.vectorsDir(user))
    await removeLexicalIndex(layout.memoryDir(user))

    expect(await searchScope(backend, user, 'refunds')).toMatchObject({ mode: 'vector', lexicalIndex: false })
    const progress: number[] = []
    counter.texts = 0
    const result = await reindexScopes(backend, 'all', { onProgress: (p) => progress.push(p.done) })
    expect(counter.texts).toBe(0)
    expect(result.built).toBe(2)
    expect(result.scopes.find((row) => row.key === 'user-1')).toMatchObject({ documents: 'built', memory: 'built', passages: 2 })
    expect(result.scopes.find((row) => row.key === 'user-2')).toMatchObject({ documents: 'present', memory: 'none' })
    expect(progress.at(-1)).toBe(2)
    expect(await searchScope(backend, user, 'refunds')).toMatchObject({ mode: 'hybrid', lexicalIndex: true, results: [{ title: 'refunds.md' }] })
    expect(await reindexScopes(backend, [user])).toMatchObject({ built: 0, scopes: [{ documents: 'present', memory: 'present' }] })
    // A scope without memory gets no memory store from a reindex.
    expect(existsSync(layout.memoryDir(other))).toBe(false)
    expect(path.basename(layout.vectorsDir(other))).toBe('user-2')
  })

  it('rebuilds a damaged index inspect reports, without --force; --force rebuilds a current one too', async () => {
    const { counter, embedder } = counting()
    const backend = backendAt(await tempDir(), embedder)
    const user = customScope('user-1')
    await addTexts(backend, user, path.join(await tempDir('bento-input-'), 'a'), { 'refunds.md': 'Refunds are paid within 14 days.' })
    await backend.evict(user)
    const file = path.join(backend.layout.vectorsDir(user), 'bento-lexical.bin')
    const bytes = await readFile(file)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
    await writeFile(file, bytes)

    const report = await inspectScope(backend, user)
    expect(report.healthy).toBe(false)
    expect(report.problems).toContainEqual(expect.stringMatching(/^lexical: bento-lexical\.bin: .*bento reindex user-1/))
    expect(report.documents).toHaveLength(1)
    expect(await searchScope(backend, user, 'refunds')).toMatchObject({ mode: 'vector', lexicalIndex: false, results: [{ title: 'refunds.md' }] })
    counter.texts = 0
    expect(await reindexScopes(backend, [user])).toMatchObject({ built: 1, scopes: [{ documents: 'built', passages: 1 }] })
    expect(counter.texts).toBe(0)
    expect((await inspectScope(backend, user, { verify: true })).healthy).toBe(true)
    expect(await searchScope(backend, user, 'refunds', { mode: 'lexical' })).toMatchObject({ mode: 'lexical', lexicalIndex: true, results: [{ title: 'refunds.md' }] })

    expect(await reindexScopes(backend, [user])).toMatchObject({ built: 0, scopes: [{ documents: 'present' }] })
    const before = await readFile(file)
    expect(await reindexScopes(backend, [user], { force: true })).toMatchObject({ built: 1, scopes: [{ documents: 'built' }] })
    expect(await readFile(file)).toEqual(before)
    expect(counter.texts).toBe(0)
  })

  it('refuses a scope that does not exist', async () => {
    const { backend } = await freshBackend()
    await expect(reindexScopes(backend, [customScope('nobody')])).rejects.toMatchObject({ code: 'not_found' })
  })
})
