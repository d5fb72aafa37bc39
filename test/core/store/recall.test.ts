import { describe, expect, it } from 'vitest'
import { DEFAULT_EF_SEARCH } from '../../../src/core/store/index.js'
import { measureRecall } from './recall.js'

describe('search recall (fast set; 10k × 384 in recall.stress.test.ts)', () => {
  it(`reaches recall@10 ≥ 0.95 against brute force at 2k × 384 with the default efSearch ${DEFAULT_EF_SEARCH}`, async () => {
    expect(await measureRecall({ count: 2000, dimension: 384, queries: 50, k: 10 })).toBeGreaterThanOrEqual(0.95)
  })

  it(`reaches recall@10 ≥ 0.95 on clustered vectors (the benchmark's shape) at 2k × 384 with the default efSearch ${DEFAULT_EF_SEARCH}`, async () => {
    expect(await measureRecall({ count: 2000, dimension: 384, queries: 50, k: 10, kind: 'clustered' })).toBeGreaterThanOrEqual(0.95)
  })
})
