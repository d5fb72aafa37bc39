import path from 'node:path'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { rememberMemories } from '../../src/core/memory.js'
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

  it('refuses a scope that does not exist', async () => {
    const { backend } = await freshBackend()
    await expect(reindexScopes(backend, [customScope('nobody')])).rejects.toMatchObject({ code: 'not_found' })
  })
})
