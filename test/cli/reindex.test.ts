/**
 * `bento reindex` and `bento search --mode/--json` through the real binary, on a
 * store written before the lexical index existed.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeLexicalIndex } from '../helpers/old-store.js'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runBento } from './support/bento.js'

let tmp: string
let dataDir: string

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
  dataDir = path.join(tmp, 'data')
  const { writeFile } = await import('node:fs/promises')
  const file = path.join(tmp, 'refunds.md')
  await writeFile(file, 'Refunds are paid within 14 days of a return.')
  expect((await runBento(['add', 'user-1', file, '--data-dir', dataDir])).code).toBe(0)
  await removeLexicalIndex(path.join(dataDir, 'vectors', 'isolated', 'user-1'))
})
afterAll(() => removeDir(tmp))

describe('bento reindex', () => {
  it('an old scope searches by vector and says so; reindex builds the index; then search is hybrid', async () => {
    const before = await runBento(['search', 'user-1', 'refunds', '--json', '--data-dir', dataDir])
    expect(before.code).toBe(0)
    expect(JSON.parse(before.stdout)).toMatchObject({ mode: 'vector', lexicalIndex: false })
    const human = await runBento(['search', 'user-1', 'refunds', '--data-dir', dataDir])
    expect(human.stderr).toContain('bento reindex user-1')

    const reindex = await runBento(['reindex', 'user-1', '--json', '--data-dir', dataDir])
    expect(reindex.code).toBe(0)
    expect(JSON.parse(reindex.stdout)).toMatchObject({ built: 1, scopes: [{ key: 'user-1', documents: 'built', memory: 'none' }] })
    expect((await runBento(['reindex', '--all', '--data-dir', dataDir])).stdout).toContain('0 stores indexed over 1 scope.')

    const after = JSON.parse((await runBento(['search', 'user-1', 'refunds', '--json', '--data-dir', dataDir])).stdout)
    expect(after).toMatchObject({ mode: 'hybrid', lexicalIndex: true, noMatch: false, results: [{ title: 'refunds.md' }] })
    const nonsense = await runBento(['search', 'user-1', 'qqqzzzkkk', '--data-dir', dataDir])
    expect([nonsense.code, nonsense.stdout]).toEqual([0, 'No match for "qqqzzzkkk": no passage shares a word with it or is similar enough.\n'])
  })

  it('refuses no scope, both keys and --all, an unknown mode and a bad --min-score with exit 2, and a missing scope with exit 3', async () => {
    for (const args of [['reindex'], ['reindex', 'user-1', '--all'], ['search', 'user-1', 'x', '--mode', 'semantic'], ['search', 'user-1', 'x', '--min-score', 'high']]) {
      const result = await runBento([...args, '--data-dir', dataDir])
      expect(result.code, args.join(' ')).toBe(2)
      assertNoStack(result.stderr)
    }
    expect((await runBento(['reindex', 'nobody', '--data-dir', dataDir])).code).toBe(3)
  })
})
