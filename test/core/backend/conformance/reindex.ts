/**
 * Conformance of `bento reindex` (src/ops/reindex.ts): `force` rebuilds a current lexical
 * index from the stored texts on every backend, with progress, counts and the same
 * search results afterwards; without it a current index is left alone. Registered
 * from describe-backend-conformance.ts.
 */
import { describe, expect, it } from 'vitest'
import { customScope } from '../../../../src/core/keys.js'
import type { Progress } from '../../../../src/ops/types.js'
import { reindexScopes } from '../../../../src/ops/reindex.js'
import type { ConformanceKit } from './kit.js'

const DOC = `doc_${'7'.repeat(24)}`

export const describeReindex = (kit: ConformanceKit): void => {
  describe('reindex', () => {
    it('--force rebuilds a current lexical index from the texts, reporting progress and counts; without it nothing is rebuilt', async () => {
      const { backend } = await kit.open()
      const scope = customScope('user-reindex')
      await kit.write(backend, scope, DOC, ['refund policy for late orders', 'the orders ship on monday', 'Москва и 東京都'])
      const search = () => backend.withStore(scope, async (store) => (await store.searchLexical('orders москва', 10))?.map((hit) => [hit.label, hit.bm25.toFixed(9)]))
      const before = await search()
      expect(before).toHaveLength(3)
      const idle = await reindexScopes(backend, [scope])
      expect(idle.built).toBe(0)
      expect(idle.scopes[0]).toMatchObject({ documents: 'present', passages: 0 })
      const progress: Progress[] = []
      const forced = await reindexScopes(backend, [scope], { force: true, onProgress: (step) => progress.push(step) })
      expect(forced.built).toBe(1)
      expect(forced.scopes[0]).toMatchObject({ documents: 'built', memory: 'none', passages: 3 })
      expect(progress).toEqual([{ done: 0, total: 1, label: scope.key }, { done: 1, total: 1 }])
      expect(await search()).toEqual(before)
    })
  })
}
