import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOpenAIEmbedder, type OpenAIEmbedderOptions } from '../../../src/core/embeddings/openai.js'
import { InvalidOptionsError, UpstreamError, UpstreamTimeoutError } from '../../../src/core/errors.js'
import { fakeEmbedding, startFakeOpenAI, type FakeOpenAI } from '../../helpers/fake-openai.js'

const KEY = 'sk-or-v1-secret-4242'
let fake: FakeOpenAI

beforeEach(async () => {
  fake = await startFakeOpenAI({ dimension: 8 })
})
afterEach(async () => {
  await fake.close()
})

const embedderFor = (options: Partial<OpenAIEmbedderOptions> = {}) =>
  createOpenAIEmbedder({ apiKey: KEY, baseUrl: fake.url, model: 'test/embed-8', dimension: 8, retryBaseMs: 1, ...options })

const expected = (text: string) => Array.from(Float32Array.from(fakeEmbedding(text, 8)))

const failureOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

describe('OpenAI-compatible embedder', () => {
  it('names itself by model and dimension, and knows OpenAI model sizes', () => {
    expect(embedderFor().id).toBe('openai:test/embed-8:8')
    expect(createOpenAIEmbedder({ apiKey: KEY })).toMatchObject({ id: 'openai:openai/text-embedding-3-small:1536', dimension: 1536 })
    expect(createOpenAIEmbedder({ apiKey: KEY, model: 'text-embedding-3-large' }).dimension).toBe(3072)
  })

  it('posts {model, input} with the bearer key and batches the texts', async () => {
    const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon']
    const vectors = await embedderFor({ batchSize: 2 }).embed(texts)
    const calls = fake.requestsTo('/v1/embeddings')
    expect(calls.map((call) => (call.body as { input: string[] }).input)).toEqual([['alpha', 'beta'], ['gamma', 'delta'], ['epsilon']])
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(calls[0]?.body).toMatchObject({ model: 'test/embed-8' })
    expect(vectors.map((vector) => Array.from(vector))).toEqual(texts.map(expected))
    expect(vectors[0]).toBeInstanceOf(Float32Array)
  })

  it('splits a request before it passes the token limit (UTF-8 bytes, an upper bound), and lets one oversized text go alone', async () => {
    const texts = ['aaaa', 'bbbb', 'cc', 'dddddddddd', 'é']
    const embedder = embedderFor({ batchSize: 64, maxBatchTokens: 8 })
    expect(embedder.batch).toEqual({ maxInputs: 64, maxTokens: 8 })
    const vectors = await embedder.embed(texts)
    const inputs = fake.requestsTo('/v1/embeddings').map((call) => (call.body as { input: string[] }).input)
    expect(inputs).toEqual([['aaaa', 'bbbb'], ['cc'], ['dddddddddd'], ['é']])
    expect(vectors.map((vector) => Array.from(vector))).toEqual(texts.map(expected))
  })

  it('orders vectors by their index, not by their position in the response', async () => {
    fake.options.reverseOrder = true
    const vectors = await embedderFor().embed(['one', 'two', 'three'])
    expect(vectors.map((vector) => Array.from(vector))).toEqual(['one', 'two', 'three'].map(expected))
  })

  it('sends nothing for no texts', async () => {
    expect(await embedderFor().embed([])).toEqual([])
    expect(fake.requests).toHaveLength(0)
  })

  it('retries 429 and then succeeds', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '0' } }, { status: 429 })
    const vectors = await embedderFor().embed(['x'])
    expect(vectors.map((vector) => Array.from(vector))).toEqual([expected('x')])
    expect(fake.requests).toHaveLength(3)
  })

  it('waits as long as Retry-After says', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '1' } })
    await embedderFor({ retryBaseMs: 0 }).embed(['x'])
    const [first, second] = fake.requests
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950)
  })

  it('fails at once when Retry-After exceeds the longest wait it accepts', async () => {
    fake.enqueue({ status: 503, headers: { 'retry-after': '3600' } })
    const error = await failureOf(embedderFor({ maxRetryDelayMs: 5000 }).embed(['x']))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error.message).toMatch(/HTTP 503.*retry after 3600 s/)
    expect(fake.requests).toHaveLength(1)
  })

  it('retries 5xx and gives up after maxRetries with the last status', async () => {
    fake.enqueue(...Array.from({ length: 4 }, () => ({ status: 500 })))
    const error = await failureOf(embedderFor({ maxRetries: 3 }).embed(['x']))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error).toMatchObject({ code: 'upstream_error' })
    expect(error.message).toMatch(/HTTP 500: Injected HTTP 500.*Gave up after 4 attempts/)
    expect(fake.requests).toHaveLength(4)
  })

  it('does not retry a 400', async () => {
    fake.enqueue({ status: 400, body: JSON.stringify({ error: { message: 'input too long' } }) })
    const error = await failureOf(embedderFor().embed(['x']))
    expect(error.message).toContain('HTTP 400: input too long')
    expect(fake.requests).toHaveLength(1)
  })

  it('times out a slow request as UpstreamTimeoutError', async () => {
    fake.enqueue({ delayMs: 2000 })
    const started = Date.now()
    const error = await failureOf(embedderFor({ timeoutMs: 200, maxRetries: 0 }).embed(['x']))
    expect(error).toBeInstanceOf(UpstreamTimeoutError)
    expect(error).toMatchObject({ code: 'upstream_timeout' })
    expect(error.message).toContain('timed out after 200 ms')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('retries after a timeout or a dropped connection', async () => {
    fake.enqueue({ delayMs: 1000 }, { hangUp: true })
    const vectors = await embedderFor({ timeoutMs: 200 }).embed(['x'])
    expect(vectors.map((vector) => Array.from(vector))).toEqual([expected('x')])
    expect(fake.requests).toHaveLength(3)
  })

  it('reports a refused connection after retrying', async () => {
    const url = fake.url
    await fake.close()
    const error = await failureOf(createOpenAIEmbedder({ apiKey: KEY, baseUrl: url, dimension: 8, model: 'm', retryBaseMs: 1, maxRetries: 1 }).embed(['x']))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error.message).toMatch(/ECONNREFUSED.*Gave up after 2 attempts/)
    fake = await startFakeOpenAI()
  })

  it('rejects a malformed body without retrying', async () => {
    fake.enqueue({ malformed: true })
    const error = await failureOf(embedderFor().embed(['x']))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error.message).toContain('is not JSON')
    expect(fake.requests).toHaveLength(1)
  })

  it('rejects a response with the wrong number of embeddings', async () => {
    fake.enqueue({ status: 200, body: JSON.stringify({ data: [{ index: 0, embedding: expected('a') }] }) })
    const error = await failureOf(embedderFor().embed(['a', 'b']))
    expect(error.message).toContain('1 embeddings for 2 inputs')
  })

  it('rejects vectors of the wrong dimension', async () => {
    const error = await failureOf(embedderFor({ dimension: 16 }).embed(['x']))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error.message).toContain('have 8 dimensions, expected 16')
  })

  it('never shows the API key, even when the upstream echoes it', async () => {
    fake.enqueue(
      { status: 401, body: JSON.stringify({ error: { message: `Invalid key ${KEY}` } }) },
      { status: 500, body: `upstream saw Authorization: Bearer ${KEY}` },
      { delayMs: 1000 },
    )
    const errors = [
      await failureOf(embedderFor().embed(['x'])),
      await failureOf(embedderFor({ maxRetries: 0 }).embed(['x'])),
      await failureOf(embedderFor({ maxRetries: 0, timeoutMs: 100 }).embed(['x'])),
      await failureOf(embedderFor({ baseUrl: 'http://127.0.0.1:1/v1', maxRetries: 0 }).embed(['x'])),
    ]
    expect(errors[0]?.message).toContain('Invalid key ***')
    for (const error of errors) {
      expect(error.message).not.toContain(KEY)
      expect(String(error.stack)).not.toContain(KEY)
      expect(JSON.stringify(error)).not.toContain(KEY)
    }
  })

  it.each<[string, Partial<OpenAIEmbedderOptions>]>([
    ['an empty key', { apiKey: '' }],
    ['a non-http URL', { baseUrl: 'file:///etc/passwd' }],
    ['a zero batch size', { batchSize: 0 }],
    ['a model of unknown size without a dimension', { dimension: undefined }],
  ])('rejects %s as InvalidOptionsError without echoing the key', (_name, options) => {
    const error = (() => {
      try {
        embedderFor(options)
      } catch (caught) {
        return caught as Error
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect(error?.message).not.toContain(KEY)
  })
})
