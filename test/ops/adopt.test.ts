/**
 * Silent wrong results with foreign stores (issue 13): a store LangChain wrote records no
 * embedder, and Bento assumed the configured one, so a model of the same dimension searched
 * garbage and a merge mixed two vector spaces for good. Its embedder is unknown until
 * `adoptScope` declares it: inspect says so, search, add and merge refuse naming the fix.
 */
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { adoptScope } from '../../src/ops/adopt.js'
import { inspectScope } from '../../src/ops/inspect.js'
import { planMigrate } from '../../src/ops/migrate.js'
import { searchScope } from '../../src/ops/search.js'
import { addAsLangChain, saveAsLangChain } from '../helpers/langchain.js'
import { mapTree } from '../helpers/map-tree.js'
import { addTexts, useBackendFixtures } from './fixtures.js'

const { freshBackend } = useBackendFixtures()
const foreign = customScope('lc-user')
const PAGES = ['refunds are paid within thirty days', 'shipping takes five working days', 'passwords reset by email link']

describe('a store LangChain wrote (no bento.json)', () => {
  it('has an unknown embedder until adopted: inspect says so, search/add/merge refuse naming the fix, adopt checks the dimension', async () => {
    const fx = await freshBackend()
    const { backend } = fx
    const vectors = await backend.embedder.embed(PAGES)
    await saveAsLangChain(backend.layout.vectorsDir(foreign), backend.embedder.dimension, PAGES.map((pageContent, i) => ({ vector: vectors[i]!, pageContent, metadata: { source: `page-${i}.txt` } })))

    const report = await inspectScope(backend, foreign)
    expect(report.vectors).toMatchObject({ count: 3, dimension: 64, embedder: null, embedderUnknown: true, fix: 'bento adopt lc-user --embedder <id>' })
    const refusal = { code: 'embedder_mismatch', message: expect.stringContaining('`bento adopt lc-user --embedder <id>`') }
    await expect(searchScope(backend, foreign, 'refunds')).rejects.toMatchObject(refusal)
    await expect(fx.add(foreign, { 'new.md': 'more text about refunds' })).rejects.toMatchObject(refusal)
    await fx.add(customScope('bento-user'), { 'a.md': 'a note about invoices' })
    await expect(planMigrate(backend, { from: foreign, to: customScope('bento-user') })).rejects.toMatchObject({ code: 'embedder_mismatch', message: expect.stringContaining('`bento adopt lc-user --embedder <id>`') })

    await expect(planMigrate(backend, { from: customScope('bento-user'), to: foreign })).rejects.toMatchObject({ code: 'embedder_mismatch' })

    // Another dimension: refused, nothing written.
    const tree = () => mapTree(fx.root, async (full, stats) => (stats.isFile() ? (await readFile(full)).toString('base64') : 'dir'))
    const before = await tree()
    await expect(adoptScope(backend, foreign, { embedderId: 'openai:text-embedding-3-small:1536' })).rejects.toMatchObject({ code: 'embedder_mismatch', message: expect.stringContaining('64 dimensions') })
    expect(await adoptScope(backend, foreign, { embedderId: backend.embedder.id, dryRun: true })).toMatchObject({ changed: true, dryRun: true, previousEmbedderId: null })
    expect(await tree()).toEqual(before)

    expect(await adoptScope(backend, foreign, { embedderId: backend.embedder.id })).toMatchObject({ key: 'lc-user', embedderId: backend.embedder.id, dimension: 64, vectors: 3, changed: true, rebuiltManifest: null })
    const manifest = JSON.parse(await readFile(path.join(backend.layout.vectorsDir(foreign), 'bento.json'), 'utf8')) as { embedderId: string }
    expect(manifest.embedderId).toBe(backend.embedder.id)
    expect((await searchScope(backend, foreign, 'refunds paid', { k: 1 })).results[0]!.content).toBe(PAGES[0])
    expect((await inspectScope(backend, foreign)).vectors).toMatchObject({ embedder: backend.embedder.id })
    expect((await inspectScope(backend, foreign)).vectors.embedderUnknown).toBeUndefined()
    expect(await adoptScope(backend, foreign, { embedderId: backend.embedder.id })).toMatchObject({ changed: false })
    await expect(adoptScope(backend, foreign, { embedderId: 'other-model:64' })).rejects.toMatchObject({ code: 'refused' })
  })

  it('a 1536-d store is shown with its own dimension and refused with the fix, not a circular message', async () => {
    const { backend } = await freshBackend()
    const vector = Array.from({ length: 1536 }, (_, i) => Math.sin(i + 1))
    await saveAsLangChain(backend.layout.vectorsDir(foreign), 1536, [{ vector, pageContent: 'one page' }])
    expect((await inspectScope(backend, foreign)).vectors).toMatchObject({ dimension: 1536, embedder: null, embedderUnknown: true })
    await expect(searchScope(backend, foreign, 'page')).rejects.toMatchObject({
      code: 'embedder_mismatch', message: expect.stringMatching(/unknown.*1536-dimensional.*`bento adopt lc-user --embedder <id>`/),
    })
  })
})

describe('a store LangChain changed after Bento wrote it', () => {
  it('is re-declared by adopt (manifest rebuilt from the files) instead of only refused', async () => {
    const fx = await freshBackend()
    const { backend } = fx
    const scope = customScope('shared-with-lc')
    await fx.add(scope, { 'a.md': 'a note about invoices and billing' })
    const dir = backend.layout.vectorsDir(scope)
    const [vector] = await backend.embedder.embed(['langchain added this page on refunds'])
    await addAsLangChain(dir, [{ vector: vector!, pageContent: 'langchain added this page on refunds', metadata: { source: 'lc.txt' } }])
    await backend.evict(scope)

    const report = await inspectScope(backend, scope)
    expect(report.problems.join('\n')).toContain('`bento adopt shared-with-lc --embedder <id>`')
    await expect(searchScope(backend, scope, 'refunds')).rejects.toMatchObject({ code: 'corrupt_store' })

    const adopted = await adoptScope(backend, scope, { embedderId: backend.embedder.id })
    expect(adopted).toMatchObject({ changed: true, vectors: 2, rebuiltManifest: expect.stringContaining('nextLabel') })
    expect(await readdir(dir)).toContain('bento.json')
    expect((await inspectScope(backend, scope)).healthy).toBe(true)
    expect((await searchScope(backend, scope, 'langchain refunds', { k: 1 })).results[0]!.content).toBe('langchain added this page on refunds')
    await addTexts(backend, scope, path.join(fx.input, 'later'), { 'b.md': 'another note written after adoption' })
    expect((await inspectScope(backend, scope)).documents).toHaveLength(3)
  })
})
