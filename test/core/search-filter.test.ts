import { describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import { createLocalEmbedder } from '../../src/core/embeddings/local.js'
import { customScope } from '../../src/core/keys.js'
import { searchStore, type SearchMode } from '../../src/core/search/index.js'
import { compileSearchFilter, searchFilterSchema } from '../../src/core/search-filter.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()
const embedder = createLocalEmbedder({ dimension: 64 })

describe('search filters', () => {
  it('apply inside the search: limit results come back even when 3 chunks of 400 match', async () => {
    const backend = createFsBackend({ dataDir: await tempDir('bento-filter-'), embedder })
    const scope = customScope('filtered')
    const texts = Array.from({ length: 400 }, (_, i) => `Refund policy note ${i}: refunds are accepted within ${i % 30} days.`)
    const vectors = await embedder.embed(texts)
    await backend.withStore(scope, (store) => store.add(texts.map((text, i) => ({
      documentId: `doc-${i}`, title: `t${i}`, text, chunkIndex: 0, vector: vectors[i]!,
      metadata: { source: `n${i}.md`, fileType: 'md', createdAt: new Date(Date.UTC(2025, 0, 1 + (i % 28))).toISOString(), team: i % 133 === 7 ? 'billing' : 'support', tags: i === 5 ? ['vip', 'eu'] : [] },
    }))), { write: true })

    const ids = async (query: string, limit: number, filter: unknown, mode: SearchMode) =>
      (await searchStore(backend, scope, query, limit, { mode, filter: compileSearchFilter(searchFilterSchema.parse(filter)) })).hits.map((hit) => hit.documentId).sort()
    for (const mode of ['hybrid', 'vector', 'lexical'] as const) {
      expect(await ids('refunds accepted days', 5, { metadata: { team: 'billing' } }, mode), mode).toEqual(['doc-140', 'doc-273', 'doc-7'])
      expect(await ids('refund policy note', 5, { metadata: { tags: 'vip' } }, mode), mode).toEqual(['doc-5'])
      expect(await ids('refund policy note', 10, { source: { in: ['n1.md', 'n2.md', 'n3.md'] }, createdAt: { gte: '2025-01-03T00:00:00Z' } }, mode), mode).toEqual(['doc-2', 'doc-3'])
      expect(await ids('refund policy note', 7, { metadata: { team: 'support' } }, mode), mode).toHaveLength(7)
    }
    await backend.close()
  })

  it.each([
    [{ top: 1 }, 'unrecognized_keys'],
    [{ metadata: { 'bad key': 1 } }, 'metadata'],
    [{ createdAt: { after: '2025' } }, 'createdAt'],
    [{ createdAt: { gte: 'yesterday' } }, 'createdAt.gte'],
    [{ fileType: 'exe' }, 'fileType'],
  ])('refuses %j', (filter, where) => {
    const parsed = searchFilterSchema.safeParse(filter)
    expect(parsed.success).toBe(false)
    expect(parsed.error!.issues.map((issue) => issue.path.join('.') || issue.code).join(' ')).toContain(where)
  })
})
