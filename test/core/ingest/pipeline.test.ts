import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../../src/core/embeddings/local.js'
import { createOpenAIEmbedder } from '../../../src/core/embeddings/openai.js'
import { EmbedderMismatchError, EmptyFileError, InvalidInputError, UnreadableFileError, UnsafePathError, UnsupportedTypeError, UpstreamError } from '../../../src/core/errors.js'
import { errnoError, setFaultInjector } from '../../../src/core/faults.js'
import { documentIdFor } from '../../../src/core/ingest/document-id.js'
import { commitDocuments, ingestDocument, prepareDocument, removeDocumentFiles, type IngestDeps } from '../../../src/core/ingest/pipeline.js'
import { analyzePassage, defaultAnalyzer } from '../../../src/core/lexical/index.js'
import { openStore } from '../../../src/core/store/index.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import { startFakeOpenAI } from '../../helpers/fake-openai.js'
import { useTempDirs } from '../../helpers/temp-dir.js'

const tempDir = useTempDirs()
const stores: VectorStore[] = []
afterEach(async () => {
  setFaultInjector(undefined)
  await Promise.all(stores.splice(0).map((store) => store.close()))
})

const utf8 = (text: string) => new TextEncoder().encode(text)
const embedder = createLocalEmbedder({ dimension: 64 })
const NOW = new Date('2025-01-02T03:04:05.000Z')

const setup = async (overrides: Partial<IngestDeps> = {}) => {
  const root = await tempDir('bento-ingest-')
  const uploadsDir = path.join(root, 'uploads', 'shared')
  await mkdir(uploadsDir, { recursive: true })
  const store = await openStore({ dir: path.join(root, 'vectors', 'shared'), dimension: embedder.dimension, embedderId: embedder.id })
  stores.push(store)
  const deps: IngestDeps = { store, embedder, uploadsDir, now: () => NOW, chunk: { size: 200, overlap: 40 }, ...overrides }
  return { root, uploadsDir, store, deps }
}

const NOTES = '# Field Notes\n\n' + Array.from({ length: 12 }, (_, i) => `Observation ${i}: the heron waded through reeds at dawn.`).join('\n\n')

describe('ingestDocument', () => {
  it('extracts, chunks, embeds, stores and keeps the original', async () => {
    const { uploadsDir, store, deps } = await setup()
    const bytes = utf8(NOTES)
    const result = await ingestDocument(deps, { fileName: 'notes.md', bytes, metadata: { tag: 'birds' } })

    expect(result).toEqual({ outcome: 'added', replaced: [], documentId: documentIdFor('notes.md', bytes), title: 'Field Notes', chunks: expect.any(Number), fileType: 'md', bytes: bytes.length })
    expect(result.documentId).toMatch(/^doc_[0-9a-f]{24}$/)
    expect(result.chunks).toBeGreaterThan(2)
    expect(await readFile(path.join(uploadsDir, result.documentId, 'notes.md'))).toEqual(Buffer.from(bytes))
    expect(await readdir(path.join(uploadsDir, result.documentId))).toEqual(['notes.md'])

    const [document] = store.listDocuments()
    expect(document).toMatchObject({ id: result.documentId, title: 'Field Notes', chunks: result.chunks })
    expect(document?.metadata).toEqual({ source: 'notes.md', fileType: 'md', createdAt: NOW.toISOString(), bytes: bytes.length, tag: 'birds' })
    const [query] = await embedder.embed(['Observation 7: the heron'])
    const [hit] = await store.search(query!, 1)
    expect(hit?.text).toContain('Observation 7:')
    expect(hit?.documentId).toBe(result.documentId)
  })

  it('is idempotent: the same upload again replaces its chunks and its file', async () => {
    const { uploadsDir, store, deps } = await setup()
    const first = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(NOTES) })
    const again = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(NOTES) })
    expect(again.documentId).toBe(first.documentId)
    expect(store.stats().live).toBe(first.chunks)
    expect(store.listDocuments()).toHaveLength(1)
    expect(await readdir(uploadsDir)).toEqual([first.documentId])

    const rechunked = await ingestDocument({ ...deps, chunk: { size: 120, overlap: 0 } }, { fileName: 'notes.md', bytes: utf8(NOTES) })
    expect(rechunked.chunks).toBeGreaterThan(first.chunks)
    expect(store.stats().live).toBe(rechunked.chunks)
  })

  it('keeps different uploads of one file name apart when told to keep both', async () => {
    const { uploadsDir, store, deps } = await setup()
    const a = await ingestDocument(deps, { fileName: 'notes.txt', bytes: utf8('version one of the notes') })
    const b = await ingestDocument(deps, { fileName: 'notes.txt', bytes: utf8('version two of the notes') }, { onConflict: 'keep-both' })
    expect(b).toMatchObject({ outcome: 'added', replaced: [] })
    expect(a.documentId).not.toBe(b.documentId)
    expect(store.listDocuments().map((document) => document.id).sort()).toEqual([a.documentId, b.documentId].sort())
    expect((await readdir(uploadsDir)).sort()).toEqual([a.documentId, b.documentId].sort())
  })

  it.each<[string, string, string, new (...args: never[]) => Error]>([
    ['an unsupported type', 'tool.exe', 'MZ', UnsupportedTypeError],
    ['an empty file', 'empty.txt', '', EmptyFileError],
    ['invalid JSON', 'bad.json', '{', UnreadableFileError],
    ['a traversal', '../escape.txt', 'text', InvalidInputError],
    ['a nested path', 'a/b.txt', 'text', InvalidInputError],
    ['a NUL byte', 'x\u0000.txt', 'text', InvalidInputError],
  ])('writes nothing for %s', async (_name, fileName, content, type) => {
    const { root, uploadsDir, store, deps } = await setup()
    await expect(ingestDocument(deps, { fileName, bytes: utf8(content) })).rejects.toThrow(type)
    expect(await readdir(uploadsDir)).toEqual([])
    expect(store.stats().live).toBe(0)
    expect(await readdir(root)).toEqual(['uploads'])
  })

  it('writes nothing when embedding fails', async () => {
    const fake = await startFakeOpenAI({ dimension: 64 })
    try {
      fake.enqueue({ status: 500 })
      const remote = createOpenAIEmbedder({ apiKey: 'k', baseUrl: fake.url, model: 'm', dimension: 64, maxRetries: 0 })
      const root = await tempDir()
      const store = await openStore({ dir: path.join(root, 'vectors'), dimension: 64, embedderId: remote.id })
      stores.push(store)
      const uploadsDir = path.join(root, 'uploads')
      await mkdir(uploadsDir)
      await expect(ingestDocument({ store, embedder: remote, uploadsDir }, { fileName: 'a.txt', bytes: utf8('hello') })).rejects.toThrow(UpstreamError)
      expect(await readdir(uploadsDir)).toEqual([])
      expect(store.stats().live).toBe(0)
    } finally {
      await fake.close()
    }
  })

  it('refuses an embedder that does not match the store, before any work', async () => {
    const { uploadsDir, deps } = await setup()
    const other = createLocalEmbedder({ dimension: 32 })
    await expect(ingestDocument({ ...deps, embedder: other }, { fileName: 'a.txt', bytes: utf8('hello') })).rejects.toThrow(EmbedderMismatchError)
    expect(await readdir(uploadsDir)).toEqual([])
  })

  it('stores "%2e%2e.txt" literally inside its document folder (no decoding)', async () => {
    const { root, uploadsDir, deps } = await setup()
    const result = await ingestDocument(deps, { fileName: '%2e%2e.txt', bytes: utf8('percent') })
    expect(await readdir(path.join(uploadsDir, result.documentId))).toEqual(['%2e%2e.txt'])
    expect(await readdir(root)).toEqual(['uploads', 'vectors'])
  })

  it('refuses to write through a symlink planted at the document folder', async () => {
    const { root, uploadsDir, deps } = await setup()
    const outside = await tempDir('bento-outside-')
    const bytes = utf8('secret plan')
    await symlink(outside, path.join(uploadsDir, documentIdFor('plan.txt', bytes)))
    await expect(ingestDocument(deps, { fileName: 'plan.txt', bytes })).rejects.toThrow(UnsafePathError)
    expect(await readdir(outside)).toEqual([])
    expect(await readdir(root)).toEqual(['uploads'])
  })

  it('leaves the store untouched when writing the upload fails (ENOSPC)', async () => {
    const { uploadsDir, store, deps } = await setup()
    setFaultInjector((op, p) => (op === 'writeFile' && p.startsWith(uploadsDir) ? errnoError('ENOSPC', op, p) : undefined))
    await expect(ingestDocument(deps, { fileName: 'a.txt', bytes: utf8('hello world') })).rejects.toMatchObject({ code: 'ENOSPC' })
    expect(store.stats().live).toBe(0)
    expect(await readdir(uploadsDir)).toEqual([])
  })

  it('recovers from a SIGKILL between the upload and the store commit by re-ingesting', async () => {
    expect(existsSync('dist/core/ingest/pipeline.js'), 'needs the build: npm run build (npm test builds first)').toBe(true)
    const { root, uploadsDir } = await setup()
    const vectorsDir = path.join(root, 'vectors', 'shared')
    const url = (file: string) => pathToFileURL(path.resolve('dist', file)).href
    const script = path.join(root, 'child.mjs')
    await writeFile(
      script,
      `import { ingestDocument } from ${JSON.stringify(url('core/ingest/pipeline.js'))}
       import { createLocalEmbedder } from ${JSON.stringify(url('core/embeddings/local.js'))}
       import { openStore } from ${JSON.stringify(url('core/store/index.js'))}
       const embedder = createLocalEmbedder({ dimension: 64 })
       const store = await openStore({ dir: ${JSON.stringify(vectorsDir)}, dimension: 64, embedderId: embedder.id })
       await ingestDocument({ store, embedder, uploadsDir: ${JSON.stringify(uploadsDir)} }, { fileName: 'notes.md', bytes: new TextEncoder().encode(${JSON.stringify(NOTES)}) })
       console.log('finished')`,
    )
    const child = spawnSync(process.execPath, [script], { env: { ...process.env, BENTO_TEST_FAULTS: '1', BENTO_CRASH_AT: 'ingest.after-upload' }, encoding: 'utf8' })
    expect(child.signal).toBe('SIGKILL')
    expect(child.stdout).not.toContain('finished')

    const documentId = documentIdFor('notes.md', utf8(NOTES))
    expect(await readdir(path.join(uploadsDir, documentId))).toEqual(['notes.md'])
    const store = await openStore({ dir: vectorsDir, dimension: 64, embedderId: embedder.id })
    stores.push(store)
    expect(store.listDocuments()).toEqual([])

    const result = await ingestDocument({ store, embedder, uploadsDir }, { fileName: 'notes.md', bytes: utf8(NOTES) })
    expect(result.documentId).toBe(documentId)
    expect(store.listDocuments().map((document) => document.id)).toEqual([documentId])
  })

  it('removes the uploads a crash left without chunks when the next document is committed, and nothing else', async () => {
    const { uploadsDir, store, deps } = await setup()
    const kept = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(NOTES) })
    const orphan = 'doc_ffffffffffffffffffffffff'
    await mkdir(path.join(uploadsDir, orphan))
    await writeFile(path.join(uploadsDir, orphan, 'lost.txt'), 'never acknowledged')
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'target.txt'), 'not ours')
    await symlink(outside, path.join(uploadsDir, 'doc_eeeeeeeeeeeeeeeeeeeeeeee'))
    await mkdir(path.join(uploadsDir, 'operator-notes'))

    const added = await ingestDocument(deps, { fileName: 'log.txt', bytes: utf8(OTHER) })

    expect((await readdir(uploadsDir)).sort()).toEqual([added.documentId, kept.documentId, 'operator-notes'].sort())
    expect(await readFile(path.join(outside, 'target.txt'), 'utf8')).toBe('not ours')
    expect(store.listDocuments().map((document) => document.id).sort()).toEqual([added.documentId, kept.documentId].sort())
  })
})

const listTree = async (root: string) => (await readdir(root, { recursive: true })).sort()
const OTHER = 'Lighthouse log.\n\n' + Array.from({ length: 8 }, (_, i) => `Entry ${i}: the keeper trimmed the wick and wound the clockwork.`).join('\n\n')

describe('prepareDocument and commitDocuments', () => {
  it('prepare extracts, chunks, embeds and counts terms, and writes nothing', async () => {
    const { root, store, deps } = await setup()
    await ingestDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const before = { tree: await listTree(root), stats: store.stats() }
    const bytes = utf8(NOTES)
    const prepared = await prepareDocument(deps, { fileName: 'notes.md', bytes })

    expect(prepared).toMatchObject({ documentId: documentIdFor('notes.md', bytes), title: 'Field Notes', fileName: 'notes.md', fileType: 'md', bytes })
    expect(prepared.chunks.length).toBeGreaterThan(2)
    prepared.chunks.forEach((chunk, i) => {
      expect(chunk).toMatchObject({ documentId: prepared.documentId, title: 'Field Notes', chunkIndex: i })
      expect(chunk.vector).toHaveLength(embedder.dimension)
      // Counted before the lock, so the commit only appends postings.
      expect(chunk.terms).toEqual(analyzePassage(chunk.text, defaultAnalyzer()))
    })
    expect(await listTree(root)).toEqual(before.tree)
    expect(store.stats()).toEqual(before.stats)
    expect(store.listDocuments()).toHaveLength(1)
  })

  it('prepare refuses an embedder that does not match a given store, before any work', async () => {
    const { deps } = await setup()
    await ingestDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    await expect(prepareDocument({ ...deps, embedder: createLocalEmbedder({ dimension: 32 }) }, { fileName: 'a.txt', bytes: utf8('hello') })).rejects.toThrow(EmbedderMismatchError)
  })

  it('commits a batch in one store commit: every upload kept, every chunk searchable', async () => {
    const { uploadsDir, store, deps } = await setup()
    const notes = await prepareDocument(deps, { fileName: 'notes.md', bytes: utf8(NOTES) })
    const other = await prepareDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const revision = store.stats().revision
    const results = await commitDocuments(deps, [notes, other])

    expect(results).toEqual([
      { outcome: 'added', replaced: [], documentId: notes.documentId, title: 'Field Notes', chunks: notes.chunks.length, fileType: 'md', bytes: notes.bytes.length },
      { outcome: 'added', replaced: [], documentId: other.documentId, title: other.title, chunks: other.chunks.length, fileType: 'txt', bytes: other.bytes.length },
    ])
    expect(store.stats()).toMatchObject({ live: notes.chunks.length + other.chunks.length, revision: revision + 1 })
    expect((await readdir(uploadsDir)).sort()).toEqual([notes.documentId, other.documentId].sort())
    expect(await readFile(path.join(uploadsDir, other.documentId, 'other.txt'), 'utf8')).toBe(OTHER)
    for (const [query, documentId] of [['the heron waded through reeds', notes.documentId], ['keeper trimmed the wick', other.documentId]] as const) {
      const [vector] = await embedder.embed([query])
      expect((await store.search(vector!, 1))[0]?.documentId).toBe(documentId)
    }
  })

  it('replaces documents ingested before in one commit that deletes all their old chunks and adds the batch', async () => {
    const { store, deps } = await setup()
    const first = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(NOTES) })
    const firstOther = await ingestDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const revision = store.stats().revision
    const rechunked = { ...deps, chunk: { size: 120, overlap: 0 } }
    const notes = await prepareDocument(rechunked, { fileName: 'notes.md', bytes: utf8(NOTES) })
    const other = await prepareDocument(rechunked, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const fresh = await prepareDocument(rechunked, { fileName: 'fresh.txt', bytes: utf8('A fresh note about tides.') })
    await commitDocuments(deps, [notes, other, fresh])

    expect(notes.chunks.length).toBeGreaterThan(first.chunks)
    expect(store.stats()).toMatchObject({
      live: notes.chunks.length + other.chunks.length + fresh.chunks.length,
      deleted: first.chunks + firstOther.chunks,
      revision: revision + 1,
    })
    expect(Object.fromEntries(store.listDocuments().map((d) => [d.id, d.chunks]))).toEqual({
      [notes.documentId]: notes.chunks.length,
      [other.documentId]: other.chunks.length,
      [fresh.documentId]: fresh.chunks.length,
    })
  })

  it('stores a document named twice in one batch once, as its last occurrence', async () => {
    const { uploadsDir, store, deps } = await setup()
    const early = await prepareDocument(deps, { fileName: 'notes.md', bytes: utf8(NOTES), metadata: { tag: 'early' } })
    const late = await prepareDocument({ ...deps, chunk: { size: 120, overlap: 0 } }, { fileName: 'notes.md', bytes: utf8(NOTES), metadata: { tag: 'late' } })
    const other = await prepareDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const results = await commitDocuments(deps, [early, other, late])

    expect(results.map((r) => [r.documentId, 'chunks' in r ? r.chunks : -1])).toEqual([[late.documentId, late.chunks.length], [other.documentId, other.chunks.length], [late.documentId, late.chunks.length]])
    expect(store.stats().live).toBe(late.chunks.length + other.chunks.length)
    const [notes] = store.listDocuments().filter((d) => d.id === late.documentId)
    expect(notes).toMatchObject({ chunks: late.chunks.length, metadata: expect.objectContaining({ tag: 'late' }) })
    expect(await readdir(path.join(uploadsDir, late.documentId))).toEqual(['notes.md'])
  })

  it('when an upload of the batch cannot be written, removes the ones it created and leaves the store untouched', async () => {
    const { uploadsDir, store, deps } = await setup()
    const kept = await ingestDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const before = { tree: await listTree(uploadsDir), stats: store.stats() }
    const notes = await prepareDocument(deps, { fileName: 'notes.md', bytes: utf8(NOTES) })
    const again = await prepareDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const failing = await prepareDocument(deps, { fileName: 'third.txt', bytes: utf8('The third note.') })
    setFaultInjector((op, p) => (op === 'writeFile' && p.includes(failing.documentId) ? errnoError('ENOSPC', op, p) : undefined))
    await expect(commitDocuments(deps, [notes, again, failing])).rejects.toMatchObject({ code: 'ENOSPC' })

    expect(await listTree(uploadsDir)).toEqual(before.tree)
    expect(before.tree).toContain(kept.documentId)
    expect(store.stats()).toEqual(before.stats)
  })

  it('checks the embedder again when committing, before writing anything', async () => {
    const { uploadsDir, store, deps } = await setup()
    await ingestDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    const before = { tree: await listTree(uploadsDir), stats: store.stats() }
    const other = createLocalEmbedder({ dimension: 32 })
    const prepared = await prepareDocument({ embedder: other }, { fileName: 'notes.md', bytes: utf8(NOTES) })
    await expect(commitDocuments({ ...deps, embedder: other }, [prepared])).rejects.toThrow(EmbedderMismatchError)
    expect(await listTree(uploadsDir)).toEqual(before.tree)
    expect(store.stats()).toEqual(before.stats)
  })
})

describe('replace by source (onConflict)', () => {
  const V1 = 'Refunds are accepted within 30 days of purchase.'
  const V2 = 'Refunds are accepted within 14 days of purchase.'

  it('an edited file of the same name replaces the old document in one commit: old chunks and upload out, new in', async () => {
    const { uploadsDir, store, deps } = await setup()
    const old = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(V1) })
    const revision = store.stats().revision
    const edited = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(V2) })

    expect(edited).toMatchObject({ outcome: 'replaced', replaced: [old.documentId] })
    expect(store.stats().revision).toBe(revision + 1)
    expect(store.listDocuments().map((document) => document.id)).toEqual([edited.documentId])
    expect(await readdir(uploadsDir)).toEqual([edited.documentId])
    const [vector] = await embedder.embed(['refund days'])
    expect((await store.search(vector!, 5)).map((hit) => hit.text)).toEqual([V2])
  })

  it('reject leaves the stored document alone and says why', async () => {
    const { uploadsDir, store, deps } = await setup()
    const old = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(V1) })
    const before = { tree: await listTree(uploadsDir), stats: store.stats() }
    const prepared = await prepareDocument(deps, { fileName: 'notes.md', bytes: utf8(V2) })
    const [outcome] = await commitDocuments(deps, [prepared], { onConflict: 'reject' })
    expect(outcome).toMatchObject({ outcome: 'skipped', existing: [old.documentId], reason: expect.stringContaining('notes.md') })
    await expect(ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(V2) }, { onConflict: 'reject' })).rejects.toMatchObject({ code: 'conflict' })
    expect(await listTree(uploadsDir)).toEqual(before.tree)
    expect(store.stats()).toEqual(before.stats)
  })

  it('two files of one name in one batch both stay, and never replace documents of the same run (keep)', async () => {
    const { store, deps } = await setup()
    const a = await prepareDocument(deps, { fileName: 'README.md', bytes: utf8('# A\nfirst readme') })
    const b = await prepareDocument(deps, { fileName: 'README.md', bytes: utf8('# B\nsecond readme') })
    const outcomes = await commitDocuments(deps, [a, b])
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['added', 'added'])
    const c = await prepareDocument(deps, { fileName: 'README.md', bytes: utf8('# C\nthird readme') })
    const [third] = await commitDocuments(deps, [c], { keep: new Set([a.documentId, b.documentId]) })
    expect(third).toMatchObject({ outcome: 'added', replaced: [] })
    expect(store.listDocuments()).toHaveLength(3)
  })

  it('a crash between the store commit and the old upload\'s removal leaves an orphan the next commit removes', async () => {
    const { uploadsDir, store, deps } = await setup()
    const old = await ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(V1) })
    setFaultInjector((op, p) => (op === 'rm' && p.includes(old.documentId) ? errnoError('EIO', op, p) : undefined))
    await expect(ingestDocument(deps, { fileName: 'notes.md', bytes: utf8(V2) })).rejects.toMatchObject({ code: 'EIO' })
    setFaultInjector(undefined)
    expect(store.listDocuments()).toHaveLength(1)
    expect((await readdir(uploadsDir)).sort()).toContain(old.documentId)
    const other = await ingestDocument(deps, { fileName: 'other.txt', bytes: utf8(OTHER) })
    expect((await readdir(uploadsDir)).sort()).toEqual([other.documentId, store.listDocuments().find((d) => d.id !== other.documentId)!.id].sort())
  })
})

describe('removeDocumentFiles', () => {
  it('removes the document folder and reports whether it existed', async () => {
    const { uploadsDir, deps } = await setup()
    const { documentId } = await ingestDocument(deps, { fileName: 'a.txt', bytes: utf8('hello') })
    expect(await removeDocumentFiles(uploadsDir, documentId)).toBe(true)
    expect(await readdir(uploadsDir)).toEqual([])
    expect(await removeDocumentFiles(uploadsDir, documentId)).toBe(false)
  })

  it.each(['..', '../uploads', 'doc_../../x', 'doc_0123456789abcdef0123456/', 'doc_0123456789ABCDEF01234567', '', 'doc_0123456789abcdef01234567/..'])(
    'refuses the crafted id %j',
    async (id) => {
      const { root, uploadsDir } = await setup()
      await writeFile(path.join(root, 'keep.txt'), 'keep')
      await expect(removeDocumentFiles(uploadsDir, id)).rejects.toThrow(InvalidInputError)
      expect(await readFile(path.join(root, 'keep.txt'), 'utf8')).toBe('keep')
      expect(existsSync(uploadsDir)).toBe(true)
    },
  )

  it('removes a planted symlink without touching its target', async () => {
    const { uploadsDir } = await setup()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'precious.txt'), 'precious')
    const id = 'doc_0123456789abcdef01234567'
    await symlink(outside, path.join(uploadsDir, id))
    expect(await removeDocumentFiles(uploadsDir, id)).toBe(true)
    expect(await readdir(uploadsDir)).toEqual([])
    expect(await readFile(path.join(outside, 'precious.txt'), 'utf8')).toBe('precious')
  })
})
