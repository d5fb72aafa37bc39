/** A store whose files are missing, damaged or disagree opens as CorruptStoreError naming the file, never a crash. */
import { readFile, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/core/store/index.js'
import { axis, chunk, makeTempDir, removeDir } from './support.js'

const DIM = 4
let root: string
let dir: string

beforeEach(async () => {
  root = await makeTempDir()
  dir = path.join(root, 'store')
  const store = await openStore({ dir, dimension: DIM, embedderId: 'test:4', appendLog: false })
  await store.add([chunk('a', 0, axis(DIM, 0)), chunk('a', 1, axis(DIM, 1)), chunk('b', 0, axis(DIM, 2))])
  await store.deleteDocument('b')
  await store.close()
})
afterEach(() => removeDir(root))

const file = (name: string) => path.join(dir, name)
const editJson = async (name: string, edit: (value: any) => unknown) => {
  const value = JSON.parse(await readFile(file(name), 'utf8'))
  await writeFile(file(name), JSON.stringify(edit(value) ?? value))
}
const expectCorrupt = async (pattern: RegExp) => {
  const error = await openStore({ dir }).catch((e: unknown) => e)
  expect(error).toMatchObject({ code: 'corrupt_store' })
  expect((error as Error).message).toMatch(pattern)
}

describe('opening a damaged store', () => {
  it('opens the intact fixture', async () => {
    const store = await openStore({ dir })
    expect(store.stats()).toMatchObject({ live: 2, deleted: 1, revision: 2 })
  })

  for (const name of ['hnswlib.index', 'docstore.json', 'args.json']) {
    it(`names a missing ${name}`, async () => {
      await rm(file(name))
      await expectCorrupt(new RegExp(name.replace('.', '\\.')))
    })
  }

  it('refuses a manifest whose counts disagree with the index', async () => {
    await editJson('bento.json', (m) => ({ ...m, live: 1, deleted: 2 }))
    await expectCorrupt(/bento\.json: records 1 live \/ 2 deleted/)
  })

  it('refuses a manifest whose capacity disagrees with the index', async () => {
    await editJson('bento.json', (m) => ({ ...m, capacity: 2048 }))
    await expectCorrupt(/max_elements 1024 disagrees with the capacity 2048/)
  })

  it('refuses a manifest whose recorded file size disagrees', async () => {
    await editJson('docstore.json', (entries) => entries)
    await writeFile(file('docstore.json'), `${await readFile(file('docstore.json'), 'utf8')} `)
    await expectCorrupt(/docstore\.json: \d+ bytes, bento\.json records/)
  })

  it('refuses a malformed manifest, naming the field', async () => {
    await editJson('bento.json', (m) => ({ ...m, dimension: 'four' }))
    await expectCorrupt(/bento\.json: dimension/)
    await writeFile(file('bento.json'), '{not json')
    await expectCorrupt(/bento\.json: not valid JSON/)
  })

  it('refuses a manifest from a newer Bento', async () => {
    await editJson('bento.json', (m) => ({ ...m, formatVersion: 99 }))
    await expect(openStore({ dir })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('newer') })
  })

  it('refuses args.json that disagrees with the manifest', async () => {
    await writeFile(file('args.json'), JSON.stringify({ space: 'l2', numDimensions: DIM }))
    await expectCorrupt(/args\.json: l2\/4 disagrees/)
  })

  it('refuses docstore entries that do not match the live points', async () => {
    const original = await readFile(file('docstore.json'), 'utf8')
    await editJson('docstore.json', (entries: Array<[string, unknown]>) => entries.slice(1))
    await expectCorrupt(/docstore\.json: no entry for live label 0/)
    await writeFile(file('docstore.json'), original)
    await editJson('docstore.json', (entries: Array<[string, unknown]>) => [...entries, ['2', { pageContent: 'ghost', metadata: {} }]])
    await expectCorrupt(/docstore\.json: 3 entries but hnswlib\.index holds 2 live points/)
  })

  it('refuses docstore entries of the wrong shape', async () => {
    for (const bad of [{}, [['x', { pageContent: '', metadata: {} }]], [['0', { pageContent: 1 }]], [['0', { pageContent: '', metadata: [] }]], [['4294967296', { pageContent: '' }]], [['01', { pageContent: '' }]]]) {
      await writeFile(file('docstore.json'), JSON.stringify(bad))
      await expectCorrupt(/docstore\.json/)
    }
  })

  it('refuses a store file that is a symlink (it would read outside the store)', async () => {
    const elsewhere = path.join(root, 'elsewhere.json')
    await writeFile(elsewhere, await readFile(file('docstore.json')))
    await rm(file('docstore.json'))
    await symlink(elsewhere, file('docstore.json'))
    await expectCorrupt(/docstore\.json: not a regular file/)
  })

  it.each([134_217_728, 4_294_967_295])('refuses a manifest capacity of %i on an emptied store before any allocation (was SIGABRT / internal)', async (capacity) => {
    const store = await openStore({ dir })
    await store.deleteAll()
    await store.close()
    await editJson('bento.json', (manifest) => {
      manifest.capacity = capacity
    })
    await expectCorrupt(new RegExp(`capacity ${capacity} is more than a store of 0 points can have`))
  })

  it('refuses a manifest capacity far above what the points of a non-empty index can need', async () => {
    await editJson('bento.json', (manifest) => {
      manifest.capacity = 134_217_728
    })
    await expectCorrupt(/capacity 134217728/)
  })
})
