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
import { parseDatabaseSpec } from '../../../../src/core/backend/pg/spec.js'
import { InvalidOptionsError } from '../../../../src/core/errors.js'

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

  it('past 25,000 chunks only with ?exact-scan-above= set higher, walking pgvector\'s longest list', () => {
    expect(searchesVectorIndex(100_000, 10, Number.POSITIVE_INFINITY)).toBe(true)
    expect(searchesVectorIndex(100_000, 10, 50_000)).toBe(false)
    expect(searchesVectorIndex(100_000, 1_024, Number.POSITIVE_INFINITY)).toBe(false)
    expect(vectorIndexCandidates(100_000, 10)).toBe(1_000)
    expect(vectorIndexAction(target(100_000), { minChunks: 10_000, maxChunks: Number.POSITIVE_INFINITY })).toBe('build')
    expect(vectorIndexAction(target(1_000_000, indexed), { minChunks: 10_000, maxChunks: Number.POSITIVE_INFINITY })).toBe('none')
    expect(vectorIndexAction(target(75_001, indexed), { minChunks: 10_000, maxChunks: 50_000 })).toBe('drop')
  })
})

describe('?exact-scan-above= on the backend spec', () => {
  it('takes a number of chunks or never, on postgres:// (kept from the server) and pglite:, and refuses anything else', () => {
    const spec = parseDatabaseSpec('postgres://u@h/d?schema=s&exact-scan-above=100000&sslmode=require')
    expect(spec).toMatchObject({ schema: 's', exactScanAbove: 100_000, url: 'postgres://u@h/d?sslmode=require' })
    expect(parseDatabaseSpec('pglite:./db?exact-scan-above=never')).toMatchObject({ exactScanAbove: Number.POSITIVE_INFINITY })
    expect(parseDatabaseSpec('pglite:./db').exactScanAbove).toBeUndefined()
    for (const bad of ['0', '-5', '1e5', '25k', '', 'always', '99999999999']) {
      expect(() => parseDatabaseSpec(`postgres://h/d?exact-scan-above=${bad}`)).toThrow(InvalidOptionsError)
    }
    expect(() => parseDatabaseSpec('pglite:./db?exact-scan-above=lots', 'BENTO_DATABASE_URL')).toThrow(/BENTO_DATABASE_URL: exact-scan-above must be a number of chunks \(1 or more\) or "never", got "lots"/)
  })
})
