import { describe, expect, it } from 'vitest'
import { DEFAULT_EF_SEARCH } from '../../../src/core/store/index.js'
import { measureRecall } from './recall.js'

describe('search recall', () => {
  it(`reaches recall@10 ≥ 0.95 against brute force at 10k × 384 with the default efSearch ${DEFAULT_EF_SEARCH}`, async () => {
    const recall = await measureRecall({ count: 10_000, dimension: 384, queries: 200, k: 10 })
    console.log(`recall@10 at 10k × 384 (latent), efSearch ${DEFAULT_EF_SEARCH}: ${recall}`)
    expect(recall).toBeGreaterThanOrEqual(0.95)
  })

  it(`reaches recall@10 ≥ 0.95 on clustered vectors (the benchmark's shape) at 10k × 384 with the default efSearch ${DEFAULT_EF_SEARCH}`, async () => {
    const recall = await measureRecall({ count: 10_000, dimension: 384, queries: 200, k: 10, kind: 'clustered' })
    console.log(`recall@10 at 10k × 384 (clustered), efSearch ${DEFAULT_EF_SEARCH}: ${recall}`)
    expect(recall).toBeGreaterThanOrEqual(0.95)
  })

  it('falls short on clustered vectors with the old default efSearch 100 (why the default was raised; the test can fail)', async () => {
    const recall = await measureRecall({ count: 10_000, dimension: 384, queries: 200, k: 10, kind: 'clustered', efSearch: 100 })
    console.log(`recall@10 at 10k × 384 (clustered), efSearch 100: ${recall}`)
    expect(recall).toBeLessThan(0.95)
  })

  it('is measurably worse with a tiny efSearch (the test can fail)', async () => {
    expect(await measureRecall({ count: 10_000, dimension: 384, queries: 100, k: 10, efSearch: 10 })).toBeLessThan(0.95)
  })
})
