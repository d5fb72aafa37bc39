import { describe, expect, it } from 'vitest'
import { DEFAULT_EF_SEARCH } from '../../../src/core/store/index.js'
import { measureRecall } from './recall.js'

describe('search recall', () => {
  it(`reaches recall@10 ≥ 0.95 against brute force at 10k × 384 with the default efSearch ${DEFAULT_EF_SEARCH}`, async () => {
    const recall = await measureRecall({ count: 10_000, dimension: 384, queries: 200, k: 10 })
    console.log(`recall@10 at 10k × 384, efSearch ${DEFAULT_EF_SEARCH}: ${recall}`)
    expect(recall).toBeGreaterThanOrEqual(0.95)
  })

  it('is measurably worse with a tiny efSearch (the test can fail)', async () => {
    expect(await measureRecall({ count: 10_000, dimension: 384, queries: 100, k: 10, efSearch: 10 })).toBeLessThan(0.95)
  })
})
