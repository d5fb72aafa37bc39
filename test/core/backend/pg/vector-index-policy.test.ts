/**
 * The size → access-path rules of a PostgreSQL store's vector search (vector-index.ts): which
 * stores get their own HNSW index, which searches walk it, and how long a list they walk with.
 * Pure rules, no database: the searches themselves are tested in vector-index.stress.test.ts and
 * the recall behind the sizes is measured in docs/BENCHMARKS.md ("Eighth session").
 */
import { describe, expect, it } from 'vitest'
import {
  defaultVectorIndexMinChunks,
  indexedSearchSettings,
  searchesVectorIndex,
  vectorIndexAction,
  vectorIndexCandidates,
  type VectorIndexTarget,
} from '../../../../src/core/backend/pg/vector-index.js'

const target = (live: number, extra: Partial<VectorIndexTarget> = {}): VectorIndexTarget =>
  ({ scopeId: '7', part: 'documents', dimension: 384, space: 'cosine', live, vectorIndex: undefined, ...extra })
const indexed = { vectorIndex: 'chunks_hnsw_7_documents' }

describe('which stores get an index', () => {
  it('on a server, from 10,000 to 25,000 chunks: the 50-chunk and the 100k-chunk store are scanned exactly; on PGlite, none', () => {
    const server = { minChunks: defaultVectorIndexMinChunks('postgres') }
    expect(vectorIndexAction(target(50), server)).toBe('none')
    expect(vectorIndexAction(target(9_999), server)).toBe('none')
    expect(vectorIndexAction(target(10_000), server)).toBe('build')
    expect(vectorIndexAction(target(25_000), server)).toBe('build')
    expect(vectorIndexAction(target(25_001), server)).toBe('none')
    expect(vectorIndexAction(target(100_000), server)).toBe('none')
    expect(vectorIndexAction(target(20_000), { minChunks: defaultVectorIndexMinChunks('pglite') })).toBe('none')
  })

  it('keeps an index until the store is well outside that range, and never indexes what pgvector cannot', () => {
    const policy = { minChunks: 10_000 }
    expect(vectorIndexAction(target(5_000, indexed), policy)).toBe('none')
    expect(vectorIndexAction(target(4_999, indexed), policy)).toBe('drop')
    expect(vectorIndexAction(target(37_500, indexed), policy)).toBe('none')
    expect(vectorIndexAction(target(37_501, indexed), policy)).toBe('drop')
    expect(vectorIndexAction(target(20_000, { ...indexed, dimension: 3072 }), policy)).toBe('drop')
    expect(vectorIndexAction(target(20_000, { dimension: 3072 }), policy)).toBe('none')
    expect(vectorIndexAction(target(20_000, { dimension: undefined }), policy)).toBe('none')
  })
})

describe('which searches walk the index, and with what list', () => {
  it('a list of at least 400 and the window, one more per 25 chunks: 800 at 20k', () => {
    expect(vectorIndexCandidates(10_000, 10)).toBe(400)
    expect(vectorIndexCandidates(10_000, 640)).toBe(640)
    expect(vectorIndexCandidates(20_000, 10)).toBe(800)
    expect(indexedSearchSettings(800)).toContain('hnsw.ef_search = 800;')
  })

  it('only while that list fits pgvector\'s ef_search limit of 1,000', () => {
    expect(searchesVectorIndex(20_000, 10)).toBe(true)
    expect(searchesVectorIndex(25_000, 10)).toBe(true)
    expect(searchesVectorIndex(30_000, 10)).toBe(false)
    expect(searchesVectorIndex(10_000, 1_024)).toBe(false)
  })
})
