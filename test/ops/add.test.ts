import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StorageBackend } from '../../src/core/backend/types.js'
import { customScope } from '../../src/core/keys.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { addFiles, MAX_BATCH_CHUNKS } from '../../src/ops/add.js'
import { documentIds, LONG_TEXT, snapshotTree, useBackendFixtures } from './fixtures.js'

const { freshBackend, backendAt } = useBackendFixtures()

const setup = async () => {
  const { backend, root, input } = await freshBackend()
  return { backend, dataDir: root, input }
}

const writeFiles = async (dir: string, files: Record<string, string>): Promise<string[]> => {
  await mkdir(dir, { recursive: true })
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
  return Object.keys(files).map((name) => path.join(dir, name))
}

/** A store's revision rises by one per commit. */
const commitsOf = (backend: StorageBackend, scope: ReturnType<typeof customScope>) => backend.withStore(scope, async (store) => store.stats().revision)

describe('addFiles: named files are all checked before anything is written', () => {
  it('a named empty file after a good one fails with empty_file and leaves a new scope absent', async () => {
    const { backend, dataDir, input } = await setup()
    const scope = customScope('user-1')
    const [a, empty] = await writeFiles(input, { 'a.txt': 'A fine note about harbours.', 'empty.txt': '' })
    const before = await snapshotTree(dataDir)
    await expect(addFiles(backend, scope, [a!, empty!])).rejects.toMatchObject({ code: 'empty_file', message: expect.stringContaining('empty.txt') })
    expect(await snapshotTree(dataDir)).toEqual(before)
    expect(await backend.scopeExists(scope)).toBe(false)
  })

  it('leaves an existing scope exactly as it was, even when a named directory holds good files', async () => {
    const { backend, dataDir, input } = await setup()
    const scope = customScope('user-1')
    const [first] = await writeFiles(path.join(input, 'first'), { 'first.md': LONG_TEXT('kelp') })
    await addFiles(backend, scope, [first!])
    const ids = await documentIds(backend, scope)
    const dir = path.join(input, 'dir')
    await writeFiles(dir, { 'one.txt': 'One note about gulls.', 'two.txt': 'Two notes about terns.' })
    const [good, broken] = await writeFiles(input, { 'good.txt': 'A good note.', 'broken.json': '{"not": json' })
    const before = await snapshotTree(dataDir)

    await expect(addFiles(backend, scope, [dir, good!, broken!])).rejects.toMatchObject({ code: 'unreadable_file' })
    expect(await snapshotTree(dataDir)).toEqual(before)
    expect(await documentIds(backend, scope)).toEqual(ids)
  })
})

describe('addFiles: directories', () => {
  it('adds the good files of a directory and reports the bad one, with progress per file', async () => {
    const { backend, input } = await setup()
    const scope = customScope('user-1')
    await writeFiles(input, { 'a.txt': 'Alpha note about anchors.', 'b-empty.txt': '', 'c.md': '# Charlie\n\nCharts and compasses.', 'd.json': '{"title": "Delta", "body": "Dunes"}' })
    await writeFiles(path.join(input, 'b-sub'), { 'x.txt': 'Xebec note, in a subdirectory.' })
    const progress: Array<string | undefined> = []
    const result = await addFiles(backend, scope, [input], { onProgress: (p) => progress.push(p.label) })

    expect(result.documents.map((d) => path.basename(d.source))).toEqual(['a.txt', 'c.md', 'd.json', 'x.txt'])
    expect(result.skipped).toEqual([{ source: path.join(input, 'b-empty.txt'), reason: expect.stringContaining('is empty') }])
    expect(await documentIds(backend, scope)).toEqual(result.documents.map((d) => d.id).sort())
    expect((await readdir(backend.layout.uploadsDir(scope))).sort()).toEqual(result.documents.map((d) => d.id).sort())
    // Per file, in name order: a directory's files, then its subdirectories.
    expect(progress).toEqual(['a.txt', 'b-empty.txt', 'c.md', 'd.json', 'x.txt', undefined])
  })

  it('commits the store once for a directory of small files', async () => {
    const { backend, input } = await setup()
    const scope = customScope('user-1')
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`note-${String(i).padStart(2, '0')}.txt`, `Note ${i} about the tide table, page ${i}.`]))
    await writeFiles(input, files)
    const result = await addFiles(backend, scope, [input])
    expect(result.documents).toHaveLength(12)
    expect(await commitsOf(backend, scope)).toBe(1)
  })

  it(`cuts batches at ${MAX_BATCH_CHUNKS} chunks: every file added, in two commits`, async () => {
    const { backend, input } = await setup()
    const scope = customScope('user-1')
    // ~1,000-character chunks: each file is about 600 chunks, so the bound falls inside the seventh file.
    const files = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`big-${i}.md`, LONG_TEXT(`topic${i}`, 5200)]))
    await writeFiles(input, files)
    const result = await addFiles(backend, scope, [input])
    const chunks = result.documents.reduce((sum, d) => sum + d.chunks, 0)
    expect(result.documents).toHaveLength(9)
    expect(chunks).toBeGreaterThan(MAX_BATCH_CHUNKS)
    expect(chunks).toBeLessThan(2 * MAX_BATCH_CHUNKS)
    expect(await commitsOf(backend, scope)).toBe(2)
    expect(await backend.withStore(scope, async (store) => store.stats().live)).toBe(chunks)
  }, 60_000)
})

describe('addFiles: a store built by another embedder', () => {
  it('is refused before any file is extracted or embedded, and nothing is written', async () => {
    const { backend, dataDir, input } = await setup()
    const scope = customScope('user-1')
    const [first] = await writeFiles(input, { 'first.txt': 'Built with the 64-dimension embedder.' })
    await addFiles(backend, scope, [first!])
    await backend.close()

    const local = createLocalEmbedder({ dimension: 32 })
    let embedded = 0
    const counting = { id: local.id, dimension: local.dimension, embed: async (texts: string[]) => ((embedded += texts.length), local.embed(texts)) }
    const other = backendAt(dataDir, counting)
    const [named] = await writeFiles(path.join(input, 'more'), { 'named.txt': 'A named file.' })
    await writeFiles(path.join(input, 'dir'), { 'one.txt': 'One.', 'two.txt': 'Two.' })
    const before = await snapshotTree(dataDir)
    await expect(addFiles(other, scope, [named!, path.join(input, 'dir')])).rejects.toMatchObject({ code: 'embedder_mismatch' })
    expect(embedded).toBe(0)
    expect(await snapshotTree(dataDir)).toEqual(before)
  })
})
