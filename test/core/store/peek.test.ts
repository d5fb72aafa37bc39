import { readFile, rename, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { JOURNAL_FILE, MANIFEST_FILE, openStore, peekStore } from '../../../src/core/store/index.js'
import { axis, chunk, useStoreDir } from './support.js'

const DIM = 4
const paths = useStoreDir()

/** Three documents (one with two chunks), one deleted: live 3 of 5 points. */
const buildStore = async () => {
  const store = await openStore({ dir: paths.dir, dimension: DIM, embedderId: 'test:4' })
  await store.add([chunk('a', 0, axis(DIM, 0)), chunk('a', 1, axis(DIM, 1)), chunk('b', 0, axis(DIM, 2)), chunk('c', 0, axis(DIM, 3)), chunk('d', 0, axis(DIM, 0, 2))])
  await store.deleteDocument('c')
  await store.deleteDocument('d')
  const expected = { stats: store.stats(), documents: store.listDocuments().length }
  await store.close()
  return expected
}

describe('peekStore', () => {
  it('answers what an open store answers, from the manifest alone', async () => {
    const expected = await buildStore()
    expect(expected.documents).toBe(2)
    expect(await peekStore(paths.dir)).toEqual(expected)
  })

  it('defers to an open while a commit is pending (the open rolls it forward)', async () => {
    await buildStore()
    await writeFile(path.join(paths.dir, JOURNAL_FILE), '{"version":1,"renames":[]}')
    expect(await peekStore(paths.dir)).toBeUndefined()
  })

  it('defers to an open for a manifest written before documents were counted', async () => {
    await buildStore()
    const file = path.join(paths.dir, MANIFEST_FILE)
    const { documents: _dropped, ...older } = JSON.parse(await readFile(file, 'utf8'))
    await writeFile(file, JSON.stringify(older))
    expect(await peekStore(paths.dir)).toBeUndefined()
  })

  it('does not read a manifest through a planted symlink', async () => {
    await buildStore()
    const file = path.join(paths.dir, MANIFEST_FILE)
    await rename(file, path.join(paths.root, 'elsewhere.json'))
    await symlink(path.join(paths.root, 'elsewhere.json'), file)
    expect(await peekStore(paths.dir)).toBeUndefined()
  })

  it('has nothing to say about a missing store', async () => {
    expect(await peekStore(paths.dir)).toBeUndefined()
  })

  it('refuses a malformed manifest as an open would', async () => {
    await buildStore()
    await writeFile(path.join(paths.dir, MANIFEST_FILE), '{"format":"bento-store"')
    await expect(peekStore(paths.dir)).rejects.toMatchObject({ code: 'corrupt_store' })
  })
})
