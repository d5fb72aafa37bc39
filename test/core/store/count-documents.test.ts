/**
 * `bento ls`'s document count of a store whose newer writes are still in its commit log
 * (bento-log.bin): the manifest's count when it has one, else the docstore with the
 * log's counted records applied — the docstore alone misses every logged document.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../../src/core/keys.js'
import { countStoreDocuments } from '../../../src/core/store/count-documents.js'
import { deleteDocument } from '../../../src/ops/documents.js'
import { listScopeSummaries } from '../../../src/ops/ls.js'
import { snapshotTree, useBackendFixtures } from '../../ops/fixtures.js'

const { freshBackend } = useBackendFixtures()

describe('countStoreDocuments', () => {
  it('counts the documents in the commit log when the manifest cannot answer, and writes nothing', async () => {
    const fixture = await freshBackend()
    const scope = customScope('user-log')
    await fixture.add(scope, { 'base.txt': 'the base file' })
    const later = await fixture.add(scope, { 'logged.txt': 'appended to the log', 'doomed.txt': 'deleted before any compaction' })
    await deleteDocument(fixture.backend, scope, later['doomed.txt']!)
    await fixture.backend.close()
    const dir = fixture.layout.vectorsDir(scope)
    expect(await countStoreDocuments(dir)).toBe(2)

    // A manifest that predates the count (and, below, a commit pending): the docstore holds only the base file.
    const manifestFile = path.join(dir, 'bento.json')
    const { documents, ...older } = JSON.parse(await readFile(manifestFile, 'utf8')) as { documents: number; log: unknown }
    expect([documents, older.log]).toEqual([2, expect.anything()])
    await writeFile(manifestFile, JSON.stringify(older))
    expect(await countStoreDocuments(dir)).toBe(2)
    await writeFile(path.join(dir, 'commit.journal'), '{}')
    const before = await snapshotTree(fixture.root)
    expect(await countStoreDocuments(dir)).toBe(2)
    expect((await listScopeSummaries(fixture.backend)).scopes.map((row) => [row.key, row.documents])).toEqual([['user-log', 2]])
    expect(await snapshotTree(fixture.root)).toEqual(before)

    expect(await countStoreDocuments(path.join(fixture.root, 'no-such-store'))).toBe(0)
    await writeFile(path.join(dir, 'docstore.json'), '{ not json')
    expect(await countStoreDocuments(dir)).toBeUndefined()
  })
})
