/**
 * `bento compact` through the real binary: a second `bento add` appends to the
 * commit log (the base files stay as they were), inspect --verify and search see
 * the logged document, and compact folds the log into the base files.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runBento } from './support/bento.js'

let tmp: string
let dataDir: string
const storeDir = () => path.join(dataDir, 'vectors', 'isolated', 'user-1')

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
  dataDir = path.join(tmp, 'data')
  await writeFile(path.join(tmp, 'refunds.md'), 'Refunds are paid within 14 days of a return.')
  await writeFile(path.join(tmp, 'shipping.md'), 'Parcels ship by courier within two working days.')
  expect((await runBento(['add', 'user-1', path.join(tmp, 'refunds.md'), '--data-dir', dataDir])).code).toBe(0)
})
afterAll(() => removeDir(tmp))

describe('bento compact', { timeout: 120_000 }, () => {
  it('folds what later adds appended to the log; inspect --verify and search see it before and after', async () => {
    const docstore = await readFile(path.join(storeDir(), 'docstore.json'), 'utf8')
    expect((await runBento(['add', 'user-1', path.join(tmp, 'shipping.md'), '--data-dir', dataDir])).code).toBe(0)
    // Appended: LangChain's files are untouched, the log holds the new document.
    expect(await readFile(path.join(storeDir(), 'docstore.json'), 'utf8')).toBe(docstore)
    expect(await readdir(storeDir())).toContain('bento-log.bin')
    const verify = await runBento(['inspect', 'user-1', '--verify', '--json', '--data-dir', dataDir])
    expect(verify.code, verify.stderr).toBe(0)
    expect(JSON.parse(verify.stdout)).toMatchObject({ problems: [] })
    const hit = JSON.parse((await runBento(['search', 'user-1', 'courier parcels', '--json', '--data-dir', dataDir])).stdout)
    expect(hit.results[0]).toMatchObject({ title: 'shipping.md' })

    const compact = await runBento(['compact', 'user-1', '--json', '--data-dir', dataDir])
    expect(compact.code, compact.stderr).toBe(0)
    expect(JSON.parse(compact.stdout)).toMatchObject({ compacted: 1, records: 1, scopes: [{ key: 'user-1', compacted: true, stores: [{ part: 'documents', after: { logRecords: 0, live: 2 } }] }] })
    expect(await readdir(storeDir())).not.toContain('bento-log.bin')
    expect(await readFile(path.join(storeDir(), 'docstore.json'), 'utf8')).toContain('courier')
    expect((await runBento(['inspect', 'user-1', '--verify', '--data-dir', dataDir])).code).toBe(0)
    expect((await runBento(['compact', '--all', '--data-dir', dataDir])).stdout).toContain('0 stores compacted over 1 scope.')
  })

  it('refuses no scope and both keys and --all with exit 2, and a missing scope with exit 3', async () => {
    for (const args of [['compact'], ['compact', 'user-1', '--all']]) {
      const result = await runBento([...args, '--data-dir', dataDir])
      expect(result.code, args.join(' ')).toBe(2)
      assertNoStack(result.stderr)
    }
    expect((await runBento(['compact', 'nobody', '--data-dir', dataDir])).code).toBe(3)
  })
})
