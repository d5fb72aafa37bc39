import { afterEach, describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import type { Embedder } from '../../src/core/embeddings/types.js'
import { customScope } from '../../src/core/keys.js'
import { rememberMemories } from '../../src/core/memory.js'
import { searchStore } from '../../src/core/search.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { addTexts, LONG_TEXT, openBackend } from '../ops/fixtures.js'

const tempDir = useTempDirs()
const open: StorageBackend[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()))
})

/** The real local embedder, counting the texts it is asked to embed. */
const countingEmbedder = () => {
  const inner = createLocalEmbedder({ dimension: 64 })
  const counter = { texts: 0 }
  const embedder: Embedder = { id: inner.id, dimension: inner.dimension, embed: async (texts) => ((counter.texts += texts.length), inner.embed(texts)) }
  return { embedder, counter }
}

describe('searchStore', () => {
  it('finds the nearest chunks of a scope, best first, with k clamped to the live points', async () => {
    const { embedder } = countingEmbedder()
    const backend = openBackend(await tempDir(), embedder)
    open.push(backend)
    const scope = customScope('user-1')
    await addTexts(backend, scope, await tempDir('bento-input-'), { 'alpha.md': LONG_TEXT('alpha', 12), 'lighthouse.txt': 'Lighthouse keepers tend the lamps of the coast.' })
    const live = await backend.withStore(scope, async (store) => store.stats().live)
    const hits = await searchStore(backend, scope, 'lighthouse keepers lamps', 100)
    expect(hits).toHaveLength(live)
    expect(hits[0]).toMatchObject({ title: 'lighthouse.txt', chunkIndex: 0 })
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a))
    expect(await searchStore(backend, scope, 'lighthouse', 2)).toHaveLength(2)
  })

  it('searches the memory part when asked, and never the documents for it', async () => {
    const backend = openBackend(await tempDir())
    open.push(backend)
    const scope = customScope('user-1')
    await addTexts(backend, scope, await tempDir('bento-input-'), { 'python.txt': 'I like Python and write it every day.' })
    await rememberMemories(backend, scope, ['I like Python'])
    const memories = await searchStore(backend, scope, 'Python', 5, { part: 'memory' })
    expect(memories.map((hit) => hit.text)).toEqual(['I like Python'])
    expect((await searchStore(backend, scope, 'Python', 5)).map((hit) => hit.title)).toEqual(['python.txt'])
  })

  it('answers nothing without calling the embedder for an empty store, an empty query or a limit below 1', async () => {
    const { embedder, counter } = countingEmbedder()
    const backend = openBackend(await tempDir(), embedder)
    open.push(backend)
    const scope = customScope('user-1')
    expect(await searchStore(backend, scope, 'anything', 5)).toEqual([])
    expect(await searchStore(backend, scope, 'anything', 5, { part: 'memory' })).toEqual([])
    await addTexts(backend, scope, await tempDir('bento-input-'), { 'a.txt': 'alpha' })
    counter.texts = 0
    expect(await searchStore(backend, scope, '   ', 5)).toEqual([])
    expect(await searchStore(backend, scope, 'alpha', 0)).toEqual([])
    expect(counter.texts).toBe(0)
    expect(await searchStore(backend, scope, 'alpha', 5)).toHaveLength(1)
    expect(counter.texts).toBe(1)
  })
})
