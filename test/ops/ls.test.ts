import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope, sessionScope, sharedScope } from '../../src/core/keys.js'
import { listScopeSummaries } from '../../src/ops/ls.js'
import { addTexts, useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt } = useBackendFixtures()

describe('listScopeSummaries', () => {
  it('lists every scope with its documents, shared first', async () => {
    const backend = backendAt(await tempDir())
    const input = await tempDir('bento-input-')
    await addTexts(backend, sharedScope(), path.join(input, '1'), { 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' })
    await addTexts(backend, customScope('user-1'), path.join(input, '2'), { 'd.txt': 'delta' })
    const uploadsOnly = sessionScope('b'.repeat(32))
    await mkdir(path.join(backend.layout.uploadsDir(uploadsOnly), 'doc_x'), { recursive: true })
    await writeFile(path.join(backend.layout.uploadsDir(uploadsOnly), 'doc_x', 'f.txt'), 'legacy')
    await backend.close()
    const fresh = backendAt(backend.layout.root)
    const { scopes } = await listScopeSummaries(fresh)
    expect(scopes.map((row) => [row.key, row.kind, row.documents])).toEqual([
      ['shared', 'shared', 3],
      ['user-1', 'custom', 1],
      ['b'.repeat(32), 'session', 0],
    ])
    expect(scopes.every((row) => row.totalBytes > 0 && row.lastActiveAt !== null)).toBe(true)
    expect((await listScopeSummaries(fresh, { kinds: ['session'] })).scopes.map((row) => row.kind)).toEqual(['session'])
  })

  it('counts documents from the manifest, and from the docstore when the manifest predates the count', async () => {
    const backend = backendAt(await tempDir())
    const input = await tempDir('bento-input-')
    await addTexts(backend, customScope('fresh'), path.join(input, '1'), { 'a.txt': 'alpha', 'b.txt': 'bravo' })
    await addTexts(backend, customScope('older'), path.join(input, '2'), { 'c.txt': 'charlie', 'd.txt': 'delta', 'e.txt': 'echo' })
    await backend.close()
    const manifest = path.join(backend.layout.vectorsDir(customScope('older')), 'bento.json')
    const { documents, ...older } = JSON.parse(await readFile(manifest, 'utf8'))
    expect(documents).toBe(3)
    await writeFile(manifest, JSON.stringify(older))
    const fresh = backendAt(backend.layout.root)
    const { scopes } = await listScopeSummaries(fresh)
    expect(scopes.map((row) => [row.key, row.documents])).toEqual([
      ['fresh', 2],
      ['older', 3],
    ])
  })
})
