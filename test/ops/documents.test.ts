import { mkdirSync, rmdirSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { LockLostError, NotFoundError } from '../../src/core/errors.js'
import { setFaultInjector } from '../../src/core/faults.js'
import { customScope } from '../../src/core/keys.js'
import { deleteAllDocuments, deleteDocument } from '../../src/ops/index.js'
import { useBackendFixtures } from './fixtures.js'

const { freshBackend } = useBackendFixtures()

const withDocuments = async () => {
  const { backend, add } = await freshBackend()
  const scope = customScope('reader-1')
  await add(scope, { 'a.md': '# Alpha\n\nalpha facts about apples', 'b.md': '# Beta\n\nbeta facts about bananas' })
  const documents = await backend.withStore(scope, async (store) => store.listDocuments())
  return { backend, scope, documents }
}

describe('document deletes as operations (the server and the CLI share them)', () => {
  it('deleteDocument removes the upload and the chunks of exactly that document', async () => {
    const { backend, scope, documents } = await withDocuments()
    const [first, second] = documents
    const result = await deleteDocument(backend, scope, first!.id)
    expect(result).toEqual({ id: first!.id, chunks: first!.chunks })
    expect(await readdir(backend.layout.uploadsDir(scope))).toEqual([second!.id])
    expect((await backend.withStore(scope, async (store) => store.listDocuments())).map((doc) => doc.id)).toEqual([second!.id])
  })

  it('deleteDocument of an id the store does not know is not_found and touches no upload dir (a crafted id never reaches a path)', async () => {
    const { backend, scope } = await withDocuments()
    await expect(deleteDocument(backend, scope, '../../vectors')).rejects.toBeInstanceOf(NotFoundError)
    expect(await readdir(backend.layout.uploadsDir(scope))).toHaveLength(2)
  })

  it('deleteAllDocuments empties the index and removes the uploads dir', async () => {
    const { backend, scope } = await withDocuments()
    expect(await deleteAllDocuments(backend, scope)).toEqual({ deleted: 2 })
    expect(await backend.withStore(scope, async (store) => store.listDocuments())).toEqual([])
    await expect(readdir(backend.layout.uploadsDir(scope))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('deleteAllDocuments whose lock another process took over after the index commit removes no upload', async () => {
    const { backend, scope } = await withDocuments()
    const lockDir = `${backend.layout.lockTarget(scope)}.lock`
    let tookOver = false
    // Right as the emptied index's manifest is published, another process takes the stalled lock over.
    setFaultInjector((op, target) => {
      if (op === 'rename' && !tookOver && path.basename(target).startsWith('.bento.json.tmp')) {
        tookOver = true
        rmdirSync(lockDir)
        mkdirSync(lockDir)
      }
      return undefined
    })
    try {
      await expect(deleteAllDocuments(backend, scope)).rejects.toBeInstanceOf(LockLostError)
    } finally {
      setFaultInjector(undefined)
      rmdirSync(lockDir)
    }
    expect(tookOver).toBe(true)
    expect(await readdir(backend.layout.uploadsDir(scope))).toHaveLength(2)
  })
})
