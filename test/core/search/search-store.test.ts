import { rm, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../../src/core/backend/types.js'
import { createLocalEmbedder } from '../../../src/core/embeddings/index.js'
import type { Embedder } from '../../../src/core/embeddings/types.js'
import { customScope } from '../../../src/core/keys.js'
import { rememberMemories } from '../../../src/core/memory.js'
import { searchStore } from '../../../src/core/search/index.js'
import { useTempDirs } from '../../helpers/temp-dir.js'
import { addTexts, LONG_TEXT, openBackend } from '../../ops/fixtures.js'

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

const CORPUS = {
  'lighthouse.txt': 'Lighthouse keepers tend the lamps of the coast.',
  'refunds.md': 'Refunds are paid within 14 days of a return. Annual plans are refunded pro rata.',
  'shipping.txt': 'Parcels ship from Rotterdam; delivery takes five working days.',
  'errors.txt': 'Error ERR_4411 means the upload quota of the workspace is exhausted.',
}

const seeded = async (embedder: Embedder = createLocalEmbedder({ dimension: 384 })) => {
  const backend = openBackend(await tempDir(), embedder)
  open.push(backend)
  const scope = customScope('user-1')
  await addTexts(backend, scope, await tempDir('bento-input-'), CORPUS)
  return { backend, scope }
}

describe('searchStore', () => {
  it('vector mode finds the nearest chunks of a scope, best first, with k clamped to the live points', async () => {
    const { embedder } = countingEmbedder()
    const backend = openBackend(await tempDir(), embedder)
    open.push(backend)
    const scope = customScope('user-1')
    await addTexts(backend, scope, await tempDir('bento-input-'), { 'alpha.md': LONG_TEXT('alpha', 12), 'lighthouse.txt': 'Lighthouse keepers tend the lamps of the coast.' })
    const live = await backend.withStore(scope, async (store) => store.stats().live)
    const { hits, mode } = await searchStore(backend, scope, 'lighthouse keepers lamps', 100, { mode: 'vector', minSimilarity: -1 })
    expect(mode).toBe('vector')
    expect(hits).toHaveLength(live)
    expect(hits[0]).toMatchObject({ title: 'lighthouse.txt', chunkIndex: 0 })
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a))
    expect((await searchStore(backend, scope, 'lighthouse', 2, { mode: 'vector', minSimilarity: -1 })).hits).toHaveLength(2)
  })

  it('searches the memory part when asked, and never the documents for it', async () => {
    const backend = openBackend(await tempDir())
    open.push(backend)
    const scope = customScope('user-1')
    await addTexts(backend, scope, await tempDir('bento-input-'), { 'python.txt': 'I like Python and write it every day.' })
    await rememberMemories(backend, scope, ['I like Python'])
    const memories = await searchStore(backend, scope, 'Python', 5, { part: 'memory' })
    expect(memories.hits.map((hit) => hit.text)).toEqual(['I like Python'])
    expect((await searchStore(backend, scope, 'Python', 5)).hits.map((hit) => hit.title)).toEqual(['python.txt'])
  })

  it('answers nothing without calling the embedder for an empty store, an empty query, a limit below 1 or a lexical search', async () => {
    const { embedder, counter } = countingEmbedder()
    const backend = openBackend(await tempDir(), embedder)
    open.push(backend)
    const scope = customScope('user-1')
    expect((await searchStore(backend, scope, 'anything', 5)).hits).toEqual([])
    expect((await searchStore(backend, scope, 'anything', 5, { part: 'memory' })).hits).toEqual([])
    await addTexts(backend, scope, await tempDir('bento-input-'), { 'a.txt': 'alpha' })
    counter.texts = 0
    expect((await searchStore(backend, scope, '   ', 5)).hits).toEqual([])
    expect((await searchStore(backend, scope, 'alpha', 0)).hits).toEqual([])
    expect((await searchStore(backend, scope, 'alpha', 5, { mode: 'lexical' })).hits).toHaveLength(1)
    expect(counter.texts).toBe(0)
    expect((await searchStore(backend, scope, 'alpha', 5)).hits).toHaveLength(1)
    expect(counter.texts).toBe(1)
  })
})

describe('hybrid search', () => {
  it('is the default, and ranks the passage sharing the rare words first with a 0–1 score', async () => {
    const { backend, scope } = await seeded()
    const result = await searchStore(backend, scope, 'how long do refunds take', 4)
    expect(result).toMatchObject({ mode: 'hybrid', lexicalIndex: true, noMatch: false })
    // First in both rankings: reciprocal rank fusion rescaled to 1.
    expect(result.hits[0]).toMatchObject({ title: 'refunds.md', score: 1 })
    expect(result.hits[0]!.similarity).toBeGreaterThan(0)
    expect(result.hits[0]!.lexical).toBeGreaterThan(0)
    for (const hit of result.hits) {
      expect(hit.score).toBeGreaterThanOrEqual(0)
      expect(hit.score).toBeLessThanOrEqual(1)
    }
  })

  it('answers a nonsense query with no results and noMatch, in every mode', async () => {
    const { backend, scope } = await seeded()
    for (const mode of ['hybrid', 'vector', 'lexical'] as const) {
      expect(await searchStore(backend, scope, 'qqqzzzkkk', 5, { mode })).toMatchObject({ hits: [], noMatch: true, mode })
    }
  })

  it('finds an exact code lexically, and drops results under minScore without calling it no match', async () => {
    const { backend, scope } = await seeded()
    const lexical = await searchStore(backend, scope, 'ERR_4411', 5, { mode: 'lexical' })
    expect(lexical.hits.map((hit) => hit.title)).toEqual(['errors.txt'])
    expect(lexical.hits[0]!.bm25).toBeGreaterThan(0)
    const strict = await searchStore(backend, scope, 'refunds rotterdam', 5, { fusion: 'score', minScore: 0.99 })
    expect(strict).toMatchObject({ hits: [], noMatch: false })
    // A similarity floor no passage reaches: only the two sharing a word are matches.
    const fused = await searchStore(backend, scope, 'refunds rotterdam', 5, { fusion: 'rrf', minSimilarity: 0.99 })
    expect(fused.hits.map((hit) => hit.title).sort()).toEqual(['refunds.md', 'shipping.txt'])
  })

  it('a store written before the lexical index answers by vector and says so', async () => {
    const { backend, scope } = await seeded()
    await backend.evict(scope)
    const dir = backend.layout.vectorsDir(scope)
    await rm(path.join(dir, 'bento-lexical.bin'))
    const manifest = JSON.parse(await readFile(path.join(dir, 'bento.json'), 'utf8')) as { files: Record<string, number> }
    delete manifest.files['bento-lexical.bin']
    await writeFile(path.join(dir, 'bento.json'), JSON.stringify(manifest))
    for (const mode of ['hybrid', 'lexical'] as const) {
      const result = await searchStore(backend, scope, 'refunds', 2, { mode })
      expect(result).toMatchObject({ mode: 'vector', lexicalIndex: false })
      expect(result.hits[0]!.title).toBe('refunds.md')
    }
  })

  it('refuses an unknown mode or fusion', async () => {
    const { backend, scope } = await seeded()
    await expect(searchStore(backend, scope, 'x', 5, { mode: 'semantic' as never })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(searchStore(backend, scope, 'x', 5, { fusion: 'max' as never })).rejects.toMatchObject({ code: 'invalid_input' })
  })
})
