/**
 * Hostile archives: each is refused with a clear code, and nothing is written
 * to the data dir (no scope, no staging left in .bento).
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { exportScopeArchive } from '../../src/ops/export.js'
import { applyImport, planImport } from '../../src/ops/import.js'
import { manifestFor, packEntries, sha256, writeArchiveFile, type CraftedEntry } from './archive-craft.js'
import { snapshotTree, useBackendFixtures } from './fixtures.js'

const { freshBackend, tempDir } = useBackendFixtures()

const UPLOAD = 'uploads/doc_0123456789abcdef01234567/notes.txt'

/** A data dir holding one scope, and a place for archives. */
const arena = async () => {
  const fixture = await freshBackend()
  await fixture.add(customScope('user-kept'), { 'kept.txt': 'kept text' })
  const dir = await tempDir('bento-archive-')
  const before = await snapshotTree(fixture.root)
  const expectUntouched = async () => expect(await snapshotTree(fixture.root)).toEqual(before)
  const refuse = async (file: string, code: string, message?: RegExp) => {
    await expect(planImport(fixture.backend, { file })).rejects.toMatchObject({ code, ...(message ? { message: expect.stringMatching(message) } : {}) })
    await expectUntouched()
  }
  return { ...fixture, dir, refuse, expectUntouched }
}

describe('import of a hostile archive', () => {
  it.each([
    ['../evil.txt'],
    ['uploads/../../escape.txt'],
    ['/etc/cron.d/evil'],
    ['uploads/doc_x/../../../evil'],
    ['uploads/doc_x/sub/deeper.txt'],
    ['uploads/..\\..\\evil.txt/x'],
    ['conversations/../../bento.json'],
    ['documents/chunks.jsonl/../../x'],
  ])('refuses path traversal names listed in the manifest (%s)', async (name) => {
    const { dir, refuse } = await arena()
    const entries = [{ name, data: 'pwned' }]
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor(entries), entries)
    await refuse(file, 'invalid_archive', /not part of the Bento archive layout/)
  })

  it('refuses a tar entry whose name differs from the manifest (a traversal name smuggled in the tar only)', async () => {
    const { dir, refuse } = await arena()
    const listed = [{ name: UPLOAD, data: 'hello' }]
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor(listed), [{ name: '../../evil.txt', data: 'hello' }])
    await refuse(file, 'invalid_archive', /not the next listed/)
  })

  it.each([
    ['symlink', { name: UPLOAD, type: 'symlink', linkname: '/etc/passwd' }],
    ['hard link', { name: UPLOAD, type: 'link', linkname: 'bento-archive.json' }],
  ] as Array<[string, CraftedEntry]>)('refuses %s entries (link entries)', async (_, entry) => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor([{ name: UPLOAD, data: '' }]), [entry])
    await refuse(file, 'unsafe_path', /link/)
  })

  it('refuses directory and device entries', async () => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor([{ name: UPLOAD, data: '' }]), [{ name: UPLOAD, type: 'character-device' }])
    await refuse(file, 'invalid_archive', /only files/)
  })

  it('refuses an entry that fails its checksum, before writing anything', async () => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor([{ name: UPLOAD, data: 'hello' }]), [{ name: UPLOAD, data: 'HELLO' }])
    await refuse(file, 'invalid_archive', /does not match its checksum/)
  })

  it('refuses a manifest that does not match its own checksum', async () => {
    const { dir, refuse } = await arena()
    const entries = [{ name: UPLOAD, data: 'hello' }]
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor(entries), entries, sha256('something else'))
    await refuse(file, 'invalid_archive', /manifest does not match its checksum/)
  })

  it('refuses a truncated tar, cut anywhere', async () => {
    const source = await freshBackend()
    await source.add(customScope('user-1'), { 'a.txt': 'alpha '.repeat(2000), 'b.txt': 'bravo' })
    const { dir, refuse } = await arena()
    const whole = path.join(dir, 'whole.tar')
    await exportScopeArchive(source.backend, customScope('user-1'), { file: whole })
    const size = (await readFile(whole)).length
    for (const cut of [100, 1500, Math.floor(size / 2), size - 2048]) {
      const file = path.join(dir, `cut-${cut}.tar`)
      await writeFile(file, (await readFile(whole)).subarray(0, cut))
      await refuse(file, 'invalid_archive')
    }
  })

  it('refuses a huge manifest by its declared size, without reading it', async () => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    // A header that declares 1 GiB, and no data behind it.
    const header = (await packEntries([{ name: 'bento-archive.json', data: 'x' }])).subarray(0, 512)
    header.write('10000000000\0', 124, 'ascii')
    header.fill(' ', 148, 156)
    let sum = 0
    for (const byte of header) sum += byte
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
    await writeFile(file, header)
    await refuse(file, 'too_large', /over the limit/)
  })

  it('refuses absurd sizes declared in the manifest before reading any data', async () => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    const manifest = manifestFor([{ name: UPLOAD, data: 'x' }])
    manifest.entries[0]!.size = 5 * 1024 ** 4
    await writeArchiveFile(file, manifest, [{ name: UPLOAD, data: 'x' }])
    await refuse(file, 'invalid_archive', /over the limit/)
  })

  it('refuses entries missing from or added to what the manifest lists', async () => {
    const { dir, refuse } = await arena()
    const listed = [{ name: UPLOAD, data: 'a' }, { name: 'uploads/doc_0123456789abcdef01234567/b.txt', data: 'b' }]
    const missing = path.join(dir, 'missing.tar')
    await writeArchiveFile(missing, manifestFor(listed), listed.slice(0, 1))
    await refuse(missing, 'invalid_archive', /truncated/)
    const extra = path.join(dir, 'extra.tar')
    await writeArchiveFile(extra, manifestFor(listed.slice(0, 1)), [...listed, { name: 'x', data: 'y' }].slice(0, 2))
    await refuse(extra, 'invalid_archive', /not listed/)
  })

  it('refuses a manifest naming an invalid scope key, unless --as names one', async () => {
    const { dir, refuse, backend } = await arena()
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor([], { scope: { key: '../../etc', kind: 'custom' } }), [])
    await refuse(file, 'invalid_archive', /not a valid scope/)
    const plan = await planImport(backend, { file, as: customScope('user-new') })
    expect(plan.scope.key).toBe('user-new')
  })

  it('refuses vectors that are not finite numbers', async () => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    const lines = `${JSON.stringify({ documentId: 'doc-1', title: 't', text: 'x', chunkIndex: 0, metadata: {} })}\n`
    const vectors = Buffer.from(new Float32Array([...Array(63).fill(0.1), Number.NaN]).buffer)
    const entries = [{ name: 'documents/chunks.jsonl', data: lines }, { name: 'documents/vectors.f32', data: vectors }]
    const manifest = manifestFor(entries, {
      embedder: { id: 'local-hash-v1:64', dimension: 64, space: 'cosine' },
      stores: { documents: { chunks: 1, efSearch: 250 }, memory: { chunks: 0, efSearch: null } },
    })
    await writeArchiveFile(file, manifest, entries)
    await refuse(file, 'invalid_archive', /not a finite number/)
  })

  it.each([
    ['gzip data', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])],
    ['random bytes', randomBytes(4096)],
    ['an empty file', Buffer.alloc(0)],
  ])('refuses %s as not an archive', async (_, bytes) => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    await writeFile(file, bytes)
    await refuse(file, 'invalid_archive')
  })

  it('refuses a newer format version by name', async () => {
    const { dir, refuse } = await arena()
    const file = path.join(dir, 'a.tar')
    await writeArchiveFile(file, manifestFor([], { formatVersion: 2 }), [])
    await refuse(file, 'invalid_archive', /version 2.*newer Bento/)
  })

  it('an archive altered between the check and the import publishes nothing and leaves no staging', async () => {
    const source = await freshBackend()
    await source.add(customScope('user-1'), { 'a.txt': 'alpha text here', 'b.txt': 'bravo text there' })
    const { dir, backend, root } = await arena()
    const file = path.join(dir, 'a.tar')
    await exportScopeArchive(source.backend, customScope('user-1'), { file })
    const plan = await planImport(backend, { file })
    const bytes = await readFile(file)
    const at = bytes.lastIndexOf('bravo text there')
    bytes.write('BRAVO', at)
    await writeFile(file, bytes)
    const before = await snapshotTree(path.join(root, 'vectors'))
    await expect(applyImport(backend, plan)).rejects.toMatchObject({ code: 'invalid_archive' })
    expect(await backend.scopeExists(customScope('user-1'))).toBe(false)
    expect(await snapshotTree(path.join(root, 'vectors'))).toEqual(before)
    expect(await snapshotTree(path.join(root, '.bento', 'trash'))).toEqual({})
    expect(await snapshotTree(path.join(root, '.bento', 'journal'))).toEqual({})
  })
})
