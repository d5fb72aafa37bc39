/**
 * An embedder for any OpenAI-compatible `/embeddings` endpoint (OpenRouter by
 * default, OpenAI, a local vLLM/Ollama gateway…). The API key is given by the
 * caller and never appears in an error message.
 */
import { z } from 'zod'
import { BentoError, InvalidOptionsError, UpstreamError, UpstreamTimeoutError } from '../errors.js'
import { backoffDelay, parseRetryAfter, sleep } from './retry.js'
import { batchEnd, type EmbedBatchLimits, type Embedder } from './types.js'

export interface OpenAIEmbedderOptions {
  apiKey: string
  /** Default `https://openrouter.ai/api/v1`. */
  baseUrl?: string
  /** Default `openai/text-embedding-3-small`. */
  model?: string
  /** Required unless the model is a known OpenAI embedding model. */
  dimension?: number
  /** Texts per request. Default 64. */
  batchSize?: number
  /**
   * Estimated tokens per request (UTF-8 bytes, an upper bound for BPE tokenizers).
   * Default 300000, OpenAI's limit for one embeddings request.
   */
  maxBatchTokens?: number
  /** Per request, including reading the body. Default 30000. */
  timeoutMs?: number
  /** Retries of 429, 5xx, timeouts and network errors. Default 3. */
  maxRetries?: number
  /** First backoff wait; doubles per retry. Default 500. */
  retryBaseMs?: number
  /** Cap of one wait. A Retry-After beyond it fails at once instead of waiting. Default 30000. */
  maxRetryDelayMs?: number
  fetch?: typeof globalThis.fetch
}

export const DEFAULT_EMBEDDINGS_URL = 'https://openrouter.ai/api/v1'
export const DEFAULT_EMBEDDINGS_MODEL = 'openai/text-embedding-3-small'

const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
}

const isHttpUrl = (value: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol)
  } catch {
    return false
  }
}

const optionsSchema = z.object({
  apiKey: z.string().min(1, 'is required'),
  baseUrl: z.string().refine(isHttpUrl, 'must be an http(s) URL').default(DEFAULT_EMBEDDINGS_URL),
  model: z.string().min(1).max(200).default(DEFAULT_EMBEDDINGS_MODEL),
  dimension: z.number().int().min(1).max(65536).optional(),
  batchSize: z.number().int().min(1).max(2048).default(64),
  maxBatchTokens: z.number().int().min(1).max(10_000_000).default(300_000),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  maxRetries: z.number().int().min(0).max(10).default(3),
  retryBaseMs: z.number().int().min(0).max(60_000).default(500),
  maxRetryDelayMs: z.number().int().min(0).max(600_000).default(30_000),
})

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()) })),
})

/** What an upstream failure means for the next attempt. */
type Attempt = { vectors: Float32Array[] } | { retry: BentoError; waitMs: number | undefined }

/**
 * An OpenAI-compatible embedder (id `openai:<model>:<dimension>`).
 *
 * @example
 * const embedder = createOpenAIEmbedder({ apiKey: process.env.OPENROUTER_API_KEY ?? '' })
 * const vectors = await embedder.embed(['hello', 'world']) // two Float32Array(1536)
 */
export const createOpenAIEmbedder = (options: OpenAIEmbedderOptions): Embedder => {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'} ${issue.message}`)
    throw new InvalidOptionsError(`Invalid embeddings options: ${problems.join('; ')}.`)
  }
  const config = parsed.data
  const dimension = config.dimension ?? KNOWN_DIMENSIONS[config.model.split('/').pop() ?? '']
  if (dimension === undefined) {
    throw new InvalidOptionsError(`Embeddings model "${config.model}" has no known dimension: set it (BENTO_EMBEDDINGS_DIMENSION).`)
  }
  const fetchImpl = options.fetch ?? globalThis.fetch
  const url = `${config.baseUrl.replace(/\/+$/, '')}/embeddings`
  const shownUrl = describeUrl(url)
  const scrub = (text: string) => text.split(config.apiKey).join('***')

  const attemptOnce = async (batch: string[]): Promise<Attempt> => {
    let response: Response
    let body: string
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ model: config.model, input: batch, encoding_format: 'float' }),
        signal: AbortSignal.timeout(config.timeoutMs),
      })
      body = await response.text()
    } catch (error) {
      const name = (error as Error | undefined)?.name
      if (name === 'TimeoutError' || name === 'AbortError') {
        return { retry: new UpstreamTimeoutError(`Embeddings request to ${shownUrl} timed out after ${config.timeoutMs} ms.`), waitMs: undefined }
      }
      return { retry: new UpstreamError(`Embeddings request to ${shownUrl} failed: ${scrub(describeNetworkError(error))}.`, error), waitMs: undefined }
    }
    if (!response.ok) {
      const failure = new UpstreamError(`Embeddings request to ${shownUrl} failed: HTTP ${response.status}${scrub(describeErrorBody(body))}.`)
      if (response.status === 408 || response.status === 429 || response.status >= 500) {
        return { retry: failure, waitMs: parseRetryAfter(response.headers) }
      }
      throw failure
    }
    return { vectors: readVectors(body, batch.length) }
  }

  const readVectors = (body: string, expected: number): Float32Array[] => {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      throw new UpstreamError(`Embeddings response from ${shownUrl} is not JSON.`)
    }
    const parsedBody = responseSchema.safeParse(json)
    if (!parsedBody.success) {
      throw new UpstreamError(`Embeddings response from ${shownUrl} is malformed${scrub(describeErrorBody(body))}: expected data[].embedding arrays of numbers.`)
    }
    const items = [...parsedBody.data.data].sort((a, b) => a.index - b.index)
    if (items.length !== expected || items.some((item, i) => item.index !== i)) {
      throw new UpstreamError(`Embeddings response from ${shownUrl} has ${items.length} embeddings for ${expected} inputs (or duplicate indexes).`)
    }
    return items.map((item) => {
      if (item.embedding.length !== dimension) {
        throw new UpstreamError(
          `Embeddings from model "${config.model}" have ${item.embedding.length} dimensions, expected ${dimension}: set the dimension to match the model.`,
        )
      }
      return Float32Array.from(item.embedding)
    })
  }

  const embedBatch = async (batch: string[]): Promise<Float32Array[]> => {
    for (let attempt = 0; ; attempt++) {
      const outcome = await attemptOnce(batch)
      if ('vectors' in outcome) return outcome.vectors
      if (attempt >= config.maxRetries) {
        throw withSuffix(outcome.retry, config.maxRetries > 0 ? ` Gave up after ${attempt + 1} attempts.` : '')
      }
      if (outcome.waitMs !== undefined && outcome.waitMs > config.maxRetryDelayMs) {
        throw withSuffix(outcome.retry, ` The server asked to retry after ${Math.ceil(outcome.waitMs / 1000)} s.`)
      }
      await sleep(outcome.waitMs ?? backoffDelay(attempt, { baseMs: config.retryBaseMs, maxMs: config.maxRetryDelayMs }))
    }
  }

  const batch: EmbedBatchLimits = Object.freeze({ maxInputs: config.batchSize, maxTokens: config.maxBatchTokens })
  return Object.freeze({
    id: `openai:${config.model}:${dimension}`,
    dimension,
    batch,
    embed: async (texts: string[]) => {
      const vectors: Float32Array[] = []
      for (let start = 0; start < texts.length; ) {
        const end = batchEnd(texts, start, batch)
        vectors.push(...(await embedBatch(texts.slice(start, end))))
        start = end
      }
      return vectors
    },
  })
}

/** The URL without credentials or query, safe to show. */
const describeUrl = (raw: string): string => {
  const url = new URL(raw)
  return `${url.origin}${url.pathname}`
}

const describeNetworkError = (error: unknown): string => {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : ''
  return `${error instanceof Error ? error.message : String(error)}${code}`
}

/** `: <message>` from an OpenAI-style `{error: {message}}` body, else a short excerpt. */
const describeErrorBody = (body: string): string => {
  let message: unknown
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown }
    message = typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message)
  } catch {
    message = body
  }
  const text = typeof message === 'string' ? message.replace(/\s+/g, ' ').trim() : ''
  if (!text) return ''
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`
}

const withSuffix = (error: BentoError, suffix: string): BentoError => {
  if (!suffix) return error
  return error instanceof UpstreamTimeoutError
    ? new UpstreamTimeoutError(`${error.message}${suffix}`)
    : new UpstreamError(`${error.message}${suffix}`, error.cause)
}
