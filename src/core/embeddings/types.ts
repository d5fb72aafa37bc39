/** How many texts, and how many tokens in all, one request of an embedder may carry. */
export interface EmbedBatchLimits {
  maxInputs: number
  maxTokens: number
}

export interface Embedder {
  /** Stable id recorded in each store, e.g. `local-hash-v1:384`. Two embedders with one id give the same vectors. */
  readonly id: string
  readonly dimension: number
  /**
   * Set by embedders that call a remote API per request: callers with many small
   * texts (`bento add` of a directory) fill requests up to these limits across
   * files instead of sending one request per file. `embed` of texts that fit
   * (by `estimateTokens`) makes exactly one request.
   */
  readonly batch?: EmbedBatchLimits
  embed(texts: string[]): Promise<Float32Array[]>
}

/**
 * An upper bound of a text's tokens for byte-level BPE tokenizers (OpenAI's and
 * most others'): every token covers at least one UTF-8 byte.
 */
export const estimateTokens = (text: string): number => Buffer.byteLength(text, 'utf8')

/**
 * The length of the longest prefix of `texts` (from `start`) that one request may
 * carry: at most `maxInputs` texts and `maxTokens` estimated tokens, and always at
 * least one text (a single text over the token limit goes alone; the API answers for it).
 */
export const batchEnd = (texts: readonly string[], start: number, limits: EmbedBatchLimits): number => {
  let end = start
  let tokens = 0
  while (end < texts.length && end - start < limits.maxInputs) {
    const next = estimateTokens(texts[end]!)
    if (end > start && tokens + next > limits.maxTokens) break
    tokens += next
    end++
  }
  return end
}
