/**
 * Embeds the chunks of many documents in as few requests as the embedder's
 * limits allow: texts wait across documents until they fill a request (by
 * count and estimated tokens), so 5,000 one-chunk files through a remote API
 * are ⌈5,000 / batch size⌉ requests, not 5,000. Documents come out complete
 * and in the order they went in. An embedder without `batch` limits (the local
 * one) embeds each document as it arrives.
 */
import { batchEnd, type Embedder } from '../embeddings/types.js'
import { withVectors, type ChunkedDocument, type PreparedDocument } from './pipeline.js'

export interface EmbedQueue {
  /** Queues a document; resolves to the documents completed by the requests this made (maybe none). */
  push(document: ChunkedDocument): Promise<PreparedDocument[]>
  /** Embeds whatever waits; resolves to the remaining documents. */
  finish(): Promise<PreparedDocument[]>
  /** Documents queued and not yet handed back. */
  readonly pending: number
}

/**
 * @example
 * const queue = createEmbedQueue(embedder)
 * for (const file of files) commit(await queue.push(await splitDocument({ embedder }, file)))
 * commit(await queue.finish())
 */
export const createEmbedQueue = (embedder: Embedder): EmbedQueue => {
  const limits = embedder.batch
  let documents: ChunkedDocument[] = []
  let texts: string[] = []
  let vectors: Float32Array[] = []

  /** Sends the texts from `vectors.length` on: only full requests unless `all`. */
  const send = async (all: boolean): Promise<void> => {
    while (vectors.length < texts.length) {
      const end = limits ? batchEnd(texts, vectors.length, limits) : texts.length
      if (!all && end === texts.length) return
      const answer = await embedder.embed(texts.slice(vectors.length, end))
      // The shape is checked per document in withVectors; a short answer must not shift later documents.
      if (answer.length !== end - vectors.length) withVectors(documents, [...vectors, ...answer], embedder)
      vectors.push(...answer)
    }
  }

  /** Hands back the leading documents whose every text has its vector. */
  const takeComplete = (): PreparedDocument[] => {
    let count = 0
    let covered = 0
    while (count < documents.length && covered + documents[count]!.texts.length <= vectors.length) covered += documents[count++]!.texts.length
    if (count === 0) return []
    const done = withVectors(documents.slice(0, count), vectors.slice(0, covered), embedder)
    documents = documents.slice(count)
    texts = texts.slice(covered)
    vectors = vectors.slice(covered)
    return done
  }

  return {
    async push(document) {
      documents.push(document)
      texts.push(...document.texts)
      await send(limits === undefined)
      return takeComplete()
    },
    async finish() {
      await send(true)
      return takeComplete()
    },
    get pending() {
      return documents.length
    },
  }
}
