import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../../src/core/embeddings/local.js'
import type { Embedder } from '../../../src/core/embeddings/types.js'
import { createEmbedQueue } from '../../../src/core/ingest/embed-queue.js'
import type { ChunkedDocument } from '../../../src/core/ingest/pipeline.js'

const local = createLocalEmbedder({ dimension: 16 })

/** The local embedder behind a remote embedder's request limits, counting its requests. */
const counting = (maxInputs: number, maxTokens = 1_000_000) => {
  const requests: string[][] = []
  const embedder: Embedder = {
    id: local.id,
    dimension: local.dimension,
    batch: { maxInputs, maxTokens },
    embed: async (texts) => {
      requests.push(texts)
      return local.embed(texts)
    },
  }
  return { embedder, requests }
}

const documentOf = (name: string, texts: string[]): ChunkedDocument => ({
  documentId: `doc_${name}`,
  title: name,
  fileName: `${name}.txt`,
  fileType: 'txt',
  bytes: new Uint8Array(),
  texts,
  metadata: { source: `${name}.txt` },
})

describe('embed queue: chunks of many files share requests', () => {
  it('fills every request but the last across files, and hands documents back whole and in order', async () => {
    const { embedder, requests } = counting(4)
    const queue = createEmbedQueue(embedder)
    const out = []
    const texts = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name} chunk ${i}`)
    for (const [name, n] of [['a', 1], ['b', 3], ['c', 2], ['d', 5], ['e', 1]] as const) out.push(...(await queue.push(documentOf(name, texts(name, n)))))
    out.push(...(await queue.finish()))
    expect(requests.map((request) => request.length)).toEqual([4, 4, 4])
    expect(out.map((document) => document.documentId)).toEqual(['doc_a', 'doc_b', 'doc_c', 'doc_d', 'doc_e'])
    const expected = await local.embed(out.flatMap((document) => document.chunks.map((chunk) => chunk.text)))
    expect(out.flatMap((document) => document.chunks.map((chunk) => Array.from(chunk.vector)))).toEqual(expected.map((vector) => Array.from(vector)))
    expect(out[3]!.chunks.map((chunk) => chunk.chunkIndex)).toEqual([0, 1, 2, 3, 4])
    expect(queue.pending).toBe(0)
  })

  it('holds a document back until its last chunk has a vector', async () => {
    const { embedder } = counting(2)
    const queue = createEmbedQueue(embedder)
    expect(await queue.push(documentOf('a', ['1', '2', '3']))).toEqual([])
    expect(queue.pending).toBe(1)
    expect((await queue.finish()).map((document) => document.chunks.length)).toEqual([3])
  })

  it('respects the token limit as well as the count', async () => {
    const { embedder, requests } = counting(100, 10)
    const queue = createEmbedQueue(embedder)
    for (const name of ['a', 'b', 'c']) await queue.push(documentOf(name, ['12345', '6789']))
    await queue.finish()
    expect(requests).toEqual([['12345', '6789'], ['12345', '6789'], ['12345', '6789']])
  })

  it('embeds each document as it comes for an embedder without request limits', async () => {
    const requests: number[] = []
    const queue = createEmbedQueue({ ...local, embed: (texts) => (requests.push(texts.length), local.embed(texts)) })
    expect((await queue.push(documentOf('a', ['x', 'y']))).length).toBe(1)
    expect((await queue.push(documentOf('b', ['z']))).length).toBe(1)
    expect(requests).toEqual([2, 1])
  })

  it('refuses an embedder that answers with fewer vectors than texts (no vector lands on the wrong chunk)', async () => {
    const queue = createEmbedQueue({ id: local.id, dimension: 16, batch: { maxInputs: 2, maxTokens: 100 }, embed: async (texts) => local.embed(texts.slice(1)) })
    await expect(queue.push(documentOf('a', ['1', '2', '3']))).rejects.toMatchObject({ code: 'upstream_error' })
  })
})
