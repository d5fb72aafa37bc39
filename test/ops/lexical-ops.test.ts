/**
 * The lexical index through the operations: inspect --verify sees a damaged one,
 * a rename moves it, a merge indexes the moved passages without embedding them,
 * and an old source store merges into a target that has one.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { addPassage, createLexicalIndex, encodeLexicalIndex } from '../../src/core/lexical/index.js'
import { customScope } from '../../src/core/keys.js'
import { inspectScope } from '../../src/ops/inspect.js'
import { applyMigrate, planMigrate } from '../../src/ops/migrate.js'
import { searchScope } from '../../src/ops/search.js'
import { removeLexicalIndex } from '../helpers/old-store.js'
import { addTexts, useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt } = useBackendFixtures()

const setup = async () => {
  const inner = createLocalEmbedder({ dimension: 64 })
  const counter = { texts: 0 }
  const backend = backendAt(await tempDir(), { id: inner.id, dimension: inner.dimension, embed: async (texts) => ((counter.texts += texts.length), inner.embed(texts)) })
  const input = await tempDir('bento-input-')
  let batch = 0
  const add = (key: string, files: Record<string, string>) => addTexts(backend, customScope(key), path.join(input, String(batch++)), files)
  return { backend, layout: backend.layout, counter, add }
}

describe('the lexical index in the operations', () => {
  it('inspect --verify reports a damaged lexical index as a store problem', async () => {
    const { backend, layout, add } = await setup()
    await add('user-1', { 'a.txt': 'alpha bravo' })
    expect((await inspectScope(backend, customScope('user-1'), { verify: true })).healthy).toBe(true)
    await backend.evict(customScope('user-1'))
    const file = path.join(layout.vectorsDir(customScope('user-1')), 'bento-lexical.bin')
    const bytes = await readFile(file)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
    await writeFile(file, bytes)
    const report = await inspectScope(backend, customScope('user-1'), { verify: true })
    expect(report.healthy).toBe(false)
    expect(report.problems.some((problem) => problem.includes('bento-lexical.bin'))).toBe(true)
  })

  it('inspect --verify decodes the postings an open only checks as a whole: a file of the right size and checksum but other labels is a problem, and search falls back to vector', async () => {
    const { backend, layout, add } = await setup()
    await add('user-1', { 'a.txt': 'alpha bravo' })
    await backend.evict(customScope('user-1'))
    const dir = layout.vectorsDir(customScope('user-1'))
    const foreign = createLexicalIndex()
    addPassage(foreign, 7, 'alpha bravo')
    const crafted = encodeLexicalIndex(foreign)
    await writeFile(path.join(dir, 'bento-lexical.bin'), crafted)
    const manifest = JSON.parse(await readFile(path.join(dir, 'bento.json'), 'utf8')) as { files: Record<string, number> }
    manifest.files['bento-lexical.bin'] = crafted.length
    await writeFile(path.join(dir, 'bento.json'), JSON.stringify(manifest))
    expect((await inspectScope(backend, customScope('user-1'))).healthy).toBe(true)
    // A search is the first use that decodes it: it answers by vector and says so, in either mode.
    expect(await searchScope(backend, customScope('user-1'), 'alpha', { mode: 'lexical' })).toMatchObject({ mode: 'vector', lexicalIndex: false, results: [{ title: 'a.txt' }] })
    expect(await searchScope(backend, customScope('user-1'), 'alpha')).toMatchObject({ mode: 'vector', lexicalIndex: false, results: [{ title: 'a.txt' }] })
    const report = await inspectScope(backend, customScope('user-1'), { verify: true })
    expect(report.healthy).toBe(false)
    expect(report.problems).toContainEqual(expect.stringMatching(/^lexical: bento-lexical\.bin: label 7/))
  })

  it('a rename moves the index with the store; a merge indexes the moved passages without re-embedding, even from an old store', async () => {
    const { backend, layout, counter, add } = await setup()
    await add('from-a', { 'refunds.md': 'Refunds are paid within 14 days.' })
    await applyMigrate(backend, await planMigrate(backend, { from: customScope('from-a'), to: customScope('renamed') }))
    expect(await searchScope(backend, customScope('renamed'), 'refunds', { mode: 'lexical' })).toMatchObject({ lexicalIndex: true, results: [{ title: 'refunds.md' }] })

    await add('from-b', { 'ships.md': 'Ships sail at dawn from Rotterdam.' })
    await backend.evict(customScope('from-b'))
    await removeLexicalIndex(layout.vectorsDir(customScope('from-b')))
    counter.texts = 0
    const result = await applyMigrate(backend, await planMigrate(backend, { from: customScope('from-b'), to: customScope('renamed') }))
    expect(result.mode).toBe('merge')
    expect(counter.texts).toBe(0)
    const found = await searchScope(backend, customScope('renamed'), 'rotterdam refunds', { mode: 'lexical' })
    expect(found.results.map((row) => row.title).sort()).toEqual(['refunds.md', 'ships.md'])
  })
})
