import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenAIEmbedder } from '../../src/core/embeddings/openai.js'
import { customScope } from '../../src/core/keys.js'
import { addFiles } from '../../src/ops/add.js'
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js'
import { openBackend, useBackendFixtures } from './fixtures.js'

/** `bento add` of `files` one-chunk files through the fake OpenAI-compatible server, `batchSize` texts per request. */
export const embedBatchingSuite = (files: number, batchSize: number) => {
  const { tempDir } = useBackendFixtures()
  let fake: FakeOpenAI
  beforeAll(async () => {
    fake = await startFakeOpenAI({ dimension: 8 })
  })
  afterAll(async () => {
    await fake.close()
  })

  describe('bento add through an OpenAI-compatible embedder: one request per file was 5,000 calls for 5,000 files', () => {
    it(`${files} small files make ceil(chunks / batch size) embeddings requests, every one full but the last`, async () => {
      const root = await tempDir()
      const input = path.join(root, 'input')
      await mkdir(input)
      for (let i = 0; i < files; i += 500) {
        const names = Array.from({ length: Math.min(500, files - i) }, (_, j) => i + j)
        await Promise.all(names.map((n) => writeFile(path.join(input, `note-${String(n).padStart(4, '0')}.txt`), `Note ${n} about harbour ${n % 97}.`)))
      }
      const embedder = createOpenAIEmbedder({ apiKey: 'k', baseUrl: fake.url, model: 'test/embed-8', dimension: 8, batchSize, retryBaseMs: 1 })
      const backend = openBackend(path.join(root, 'data'), embedder)
      const scope = customScope('user-1')
      try {
        const result = await addFiles(backend, scope, [input])
        const chunks = result.documents.reduce((sum, document) => sum + document.chunks, 0)
        expect(result.documents).toHaveLength(files)
        expect(chunks).toBe(files)
        const calls = fake.requestsTo('/v1/embeddings').map((call) => (call.body as { input: string[] }).input.length)
        expect(calls.length).toBeLessThanOrEqual(Math.ceil(chunks / batchSize))
        expect(calls.slice(0, -1).every((size) => size === batchSize)).toBe(true)
        // Every chunk is stored under its own vector: a shifted vector would not find its own text first.
        const query = `Note ${files - 7} about harbour ${(files - 7) % 97}.`
        const hits = await backend.withStore(scope, async (store) => store.search((await embedder.embed([query]))[0]!, 1))
        expect(hits[0]?.text).toBe(query)
      } finally {
        await backend.close()
      }
    }, 600_000)
  })
}
