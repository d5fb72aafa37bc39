/**
 * `bento adopt <key> --embedder <id>` as a user runs it on a store LangChain wrote: inspect
 * says the embedder is unknown and names the fix, search refuses (exit 3) with it, a wrong
 * dimension is refused (exit 3, nothing written), a dry run writes nothing, adopt records it
 * and search then answers.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { saveAsLangChain } from '../helpers/langchain.js'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runBento } from './support/bento.js'
import { snapshotTree } from './support/fixture.js'

let tmp: string
let dataDir: string
const PAGES = ['refunds are paid within thirty days', 'shipping takes five working days']

beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
  dataDir = path.join(tmp, 'data')
  const embedder = createLocalEmbedder()
  const vectors = await embedder.embed(PAGES)
  await saveAsLangChain(path.join(dataDir, 'vectors/isolated/lc-user'), embedder.dimension, PAGES.map((pageContent, i) => ({ vector: vectors[i]!, pageContent })))
})
afterAll(() => removeDir(tmp))

describe('bento adopt on a store LangChain wrote', () => {
  it('inspect and search name the fix until adopt records the embedder; a wrong dimension and a dry run write nothing', async () => {
    const bento = (...args: string[]) => runBento([...args, '--data-dir', dataDir])
    const inspect = await bento('inspect', 'lc-user')
    expect(inspect.stdout).toMatch(/Embedder\s+unknown \(written by another tool\): declare it with bento adopt lc-user --embedder <id>/)
    expect(inspect.stdout).not.toContain('local-hash-v1')
    const json = JSON.parse((await bento('inspect', 'lc-user', '--json')).stdout) as { vectors: Record<string, unknown> }
    expect(json.vectors).toMatchObject({ dimension: 384, embedder: null, embedderUnknown: true })

    const search = await bento('search', 'lc-user', 'refunds')
    expect(search.code).toBe(3)
    expect(search.stderr).toContain('`bento adopt lc-user --embedder <id>`')
    assertNoStack(search.stderr)

    const before = await snapshotTree(dataDir)
    const wrong = await bento('adopt', 'lc-user', '--embedder', 'openai:text-embedding-3-small:1536')
    expect([wrong.code, wrong.stdout]).toEqual([3, ''])
    expect(wrong.stderr).toContain('384 dimensions')
    const dry = await bento('adopt', 'lc-user', '--embedder', 'local-hash-v1:384', '--dry-run', '--json')
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout)).toMatchObject({ key: 'lc-user', embedderId: 'local-hash-v1:384', changed: true, dryRun: true })
    expect(await snapshotTree(dataDir)).toEqual(before)
    expect((await bento('adopt', 'lc-user')).code).toBe(2)

    const adopt = await bento('adopt', 'lc-user', '--embedder', 'local-hash-v1:384')
    expect([adopt.code, adopt.stdout]).toEqual([0, 'lc-user: recorded embedder local-hash-v1:384 (2 vectors of dimension 384).\n'])
    const found = await bento('search', 'lc-user', 'refunds paid', '--json')
    expect(found.code).toBe(0)
    expect((JSON.parse(found.stdout) as { results: Array<{ content: string }> }).results[0]!.content).toBe(PAGES[0])
  })
})
