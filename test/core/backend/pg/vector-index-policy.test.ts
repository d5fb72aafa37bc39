/**
 * The size → access-path rules of a PostgreSQL store's vector search (vector-index.ts): when a store
 * gets its own HNSW index, and how many candidates a search of it reads before ranking them exactly.
 * Pure rules, no database: the searches themselves are tested in vector-index.stress.test.ts and
 * their recall at 100k chunks is the benchmark's (docs/BENCHMARKS.md).
 */
import { describe, expect, it } from 'vitest'
import {
  defaultVectorIndexMinChunks,
  indexedSearchSettings,
  vectorIndexAction,
  vectorIndexCandidates,
  type VectorIndexTarget,
} from '../../../../src/core/backend/pg/vector-index.js'

const target = (live: number, extra: Partial<VectorIndexTarget> = {}): VectorIndexTarget =>
  ({ scopeId: '7', part: 'documents', dimension: 384, space: 'cosine', live, vectorIndex: undefined, ...extra })

describe('which access path a store gets', () => {
  it('on a server, an index from 10,000 chunks; on PGlite, never', () => {
    const server = { minChunks: defaultVectorIndexMinChunks('postgres') }
    expect(vectorIndexAction(target(50), server)).toBe('none')
    expect(vectorIndexAction(target(9_999), server)).toBe('none')
    expect(vectorIndexAction(target(10_000), server)).toBe('build')
    expect(vectorIndexAction(target(100_000), { minChunks: defaultVectorIndexMinChunks('pglite') })).toBe('none')
  })

  it('keeps an index until the store is below half the threshold, and never indexes what pgvector cannot', () => {
    const policy = { minChunks: 10_000 }
    const indexed = { vectorIndex: 'chunks_hnsw_7_documents' }
    expect(vectorIndexAction(target(5_000, indexed), policy)).toBe('none')
    expect(vectorIndexAction(target(4_999, indexed), policy)).toBe('drop')
    expect(vectorIndexAction(target(50_000, { dimension: 3072 }), policy)).toBe('none')
    expect(vectorIndexAction(target(50_000, { ...indexed, dimension: 3072 }), policy)).toBe('drop')
    expect(vectorIndexAction(target(50_000, { dimension: undefined }), policy)).toBe('none')
  })
})

describe('how many candidates an indexed search ranks exactly', () => {
  it('at least 400 and the window, and more as the store grows: 4,000 at 100k chunks', () => {
    expect(vectorIndexCandidates(10_000, 10)).toBe(400)
    expect(vectorIndexCandidates(10_000, 640)).toBe(640)
    expect(vectorIndexCandidates(100_000, 10)).toBe(4_000)
    expect(vectorIndexCandidates(1_000_000, 10)).toBeGreaterThan(vectorIndexCandidates(100_000, 10))
  })

  it('walks with at most pgvector\'s ef_search of 1000 and may visit the whole store for the rest', () => {
    expect(indexedSearchSettings(10_000, 400)).toContain('hnsw.ef_search = 400;')
    const large = indexedSearchSettings(100_000, 4_000)
    expect(large).toContain('hnsw.ef_search = 1000;')
    expect(large).toContain('hnsw.iterative_scan = relaxed_order')
    expect(large).toContain('hnsw.max_scan_tuples = 100000')
  })
})
