import { describe, expect, it } from 'vitest'
import { createFsBackend } from '../../../src/core/backend/index.js'
import { emptyMergeCounts, mergeStore } from '../../../src/core/backend/scope-merge.js'
import { createLocalEmbedder } from '../../../src/core/embeddings/index.js'
import { customScope } from '../../../src/core/keys.js'
import { analyzePassage, defaultAnalyzer } from '../../../src/core/lexical/index.js'
import { spyAdds } from '../../helpers/spy-adds.js'
import { useTempDirs } from '../../helpers/temp-dir.js'

const tempDir = useTempDirs()

describe('mergeStore', () => {
  it('hands the target\'s commit every merged chunk\'s terms counted ahead, so the commit tokenizes nothing; the merged texts are found by their words', async () => {
    const embedder = createLocalEmbedder({ dimension: 16 })
    const backend = createFsBackend({ dataDir: await tempDir(), embedder })
    try {
      const from = customScope('merge-from')
      const to = customScope('merge-to')
      const texts = ['refund policy for late orders', 'Москва и 東京都']
      const vectors = await embedder.embed(texts)
      await backend.withStore(from, (store) => store.add(texts.map((text, i) => ({ documentId: `doc_${'3'.repeat(24)}`, title: 'a.txt', text, chunkIndex: i, vector: vectors[i]! }))), { write: true })
      // The caller (migrate) holds both scopes' locks; here nobody else writes, so plain writes stand in for them.
      const spy = spyAdds(backend.withStore.bind(backend), { lockHeld: false, write: true })
      const counts = emptyMergeCounts()
      await mergeStore({ withStore: spy.withStore, copyUpload: async () => 0 }, from, to, 'documents', counts)
      expect(counts.vectors).toBe(2)
      expect(spy.added.map((chunk) => chunk.terms)).toEqual(texts.map((text) => analyzePassage(text, defaultAnalyzer())))
      const hits = await backend.withStore(to, async (store) => store.searchLexical('東京 orders', 5))
      expect(hits?.map((hit) => hit.text).sort()).toEqual([...texts].sort())
    } finally {
      await backend.close()
    }
  })
})
