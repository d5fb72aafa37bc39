import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { addFiles } from '../../src/ops/add.js'
import { searchScope } from '../../src/ops/search.js'
import { LONG_TEXT, useBackendFixtures } from './fixtures.js'

const { tempDir, freshBackend } = useBackendFixtures()

describe('addFiles', () => {
  it('adds directories recursively, skipping links, hidden and unsupported files, and reports them', async () => {
    const { backend, input } = await freshBackend()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'secret.txt'), 'secret outside text')
    await mkdir(path.join(input, 'docs', 'deep'), { recursive: true })
    await writeFile(path.join(input, 'docs', 'whales.md'), LONG_TEXT('whale'))
    await writeFile(path.join(input, 'docs', 'deep', 'notes.txt'), 'Notes about lighthouses and keepers.')
    await writeFile(path.join(input, 'docs', 'image.png'), Buffer.from([0x89, 0x50]))
    await writeFile(path.join(input, 'docs', '.hidden.txt'), 'hidden')
    await writeFile(path.join(input, 'docs', 'empty.txt'), '')
    await symlink(path.join(outside, 'secret.txt'), path.join(input, 'docs', 'link.txt'))
    const scope = customScope('user-1')
    const progress: number[] = []
    const result = await addFiles(backend, scope, [path.join(input, 'docs')], { onProgress: (p) => progress.push(p.done) })
    expect(result.documents.map((d) => path.basename(d.source)).sort()).toEqual(['notes.txt', 'whales.md'])
    expect(result.documents.every((d) => /^doc_[0-9a-f]{24}$/.test(d.id) && d.chunks > 0)).toBe(true)
    const reasons = Object.fromEntries(result.skipped!.map((s) => [path.basename(s.source), s.reason]))
    expect(Object.keys(reasons).sort()).toEqual(['empty.txt', 'image.png', 'link.txt'])
    expect(reasons['link.txt']).toMatch(/symlink/)
    expect(progress.length).toBeGreaterThan(0)
    expect((await readdir(backend.layout.uploadsDir(scope))).sort()).toEqual(result.documents.map((d) => d.id).sort())

    const hits = await searchScope(backend, scope, 'lighthouse keepers', { k: 2, mode: 'vector' })
    expect(hits.results[0]?.content).toContain('lighthouses')
    expect(hits.results.length).toBe(2)
    expect(hits.results[0]!.score).toBeGreaterThanOrEqual(hits.results[1]!.score)
    expect((await searchScope(backend, scope, 'anything', { k: 100 })).results.length).toBeLessThanOrEqual(100)
  })

  it('checks every named path before adding anything', async () => {
    const { backend, input } = await freshBackend()
    const scope = customScope('user-1')
    await writeFile(path.join(input, 'ok.txt'), 'fine')
    await writeFile(path.join(input, 'bad.exe'), 'MZ')
    await expect(addFiles(backend, scope, [path.join(input, 'ok.txt'), path.join(input, 'bad.exe')])).rejects.toMatchObject({ code: 'unsupported_type' })
    await expect(addFiles(backend, scope, [path.join(input, 'ok.txt'), path.join(input, 'missing.txt')])).rejects.toMatchObject({ code: 'not_found' })
    expect(await backend.scopeExists(scope)).toBe(false)
  })
})

describe('searchScope', () => {
  it('validates k and the query, and knows a missing scope', async () => {
    const { backend } = await freshBackend()
    const scope = customScope('user-1')
    await expect(searchScope(backend, scope, 'x', { k: 0 })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(searchScope(backend, scope, '  ')).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(searchScope(backend, scope, 'x')).rejects.toMatchObject({ code: 'not_found' })
  })

  it("answers no results for a missing scope when asked to (the server's choice), and names each hit's chunk", async () => {
    const { backend, input } = await freshBackend()
    const scope = customScope('user-1')
    expect(await searchScope(backend, scope, 'x', { missing: 'empty' })).toEqual({ query: 'x', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] })
    await expect(searchScope(backend, scope, 'x', { missing: 'not-found' })).rejects.toMatchObject({ code: 'not_found' })
    expect(await backend.scopeExists(scope)).toBe(false)
    expect(await readdir(backend.layout.root, { recursive: true })).toEqual([])
    await writeFile(path.join(input, 'notes.md'), LONG_TEXT('harbour', 40))
    await addFiles(backend, scope, [path.join(input, 'notes.md')])
    const { results } = await searchScope(backend, scope, 'harbour paragraph 39', { k: 3, missing: 'empty' })
    expect(results).toHaveLength(3)
    for (const row of results) expect(row.metadata).toMatchObject({ source: 'notes.md', chunkIndex: expect.any(Number) })
    expect(new Set(results.map((row) => row.metadata.chunkIndex)).size).toBe(3)
  })
})
