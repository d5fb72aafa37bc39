import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { embedderFromEnv } from '../../../src/core/embeddings/from-env.js'
import { InvalidOptionsError } from '../../../src/core/errors.js'
import { startFakeOpenAI, type FakeOpenAI } from '../../helpers/fake-openai.js'

let fake: FakeOpenAI
beforeEach(async () => {
  fake = await startFakeOpenAI({ dimension: 12 })
})
afterEach(async () => {
  await fake.close()
})

describe('embedderFromEnv', () => {
  it('defaults to the local embedder with 384 dimensions', () => {
    expect(embedderFromEnv({}).id).toBe('local-hash-v1:384')
    expect(embedderFromEnv({ BENTO_EMBEDDINGS_DIMENSION: '256' }).id).toBe('local-hash-v1:256')
  })

  it('keeps the local embedder when only a (chat) key is set', () => {
    expect(embedderFromEnv({ OPENROUTER_API_KEY: 'sk-x' }).id).toBe('local-hash-v1:384')
    expect(embedderFromEnv({ BENTO_EMBEDDER: 'local', OPENROUTER_API_KEY: 'sk-x', BENTO_EMBEDDINGS_MODEL: 'm' }).id).toBe('local-hash-v1:384')
  })

  it('picks the OpenAI-compatible embedder on BENTO_EMBEDDER=openai and uses every variable', async () => {
    const embedder = embedderFromEnv({
      BENTO_EMBEDDER: 'openai',
      OPENROUTER_API_KEY: 'sk-env',
      BENTO_EMBEDDINGS_URL: fake.url,
      BENTO_EMBEDDINGS_MODEL: 'acme/embed-12',
      BENTO_EMBEDDINGS_DIMENSION: '12',
    })
    expect(embedder).toMatchObject({ id: 'openai:acme/embed-12:12', dimension: 12 })
    const [vector] = await embedder.embed(['hello'])
    expect(vector).toHaveLength(12)
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-env')
    expect(fake.requests[0]?.body).toMatchObject({ model: 'acme/embed-12', input: ['hello'] })
  })

  it('picks the OpenAI-compatible embedder when given a key and a model', () => {
    expect(embedderFromEnv({ OPENROUTER_API_KEY: 'sk', BENTO_EMBEDDINGS_MODEL: 'openai/text-embedding-3-large' }).id).toBe(
      'openai:openai/text-embedding-3-large:3072',
    )
    expect(embedderFromEnv({}, { apiKey: 'sk', model: 'text-embedding-3-small' }).id).toBe('openai:text-embedding-3-small:1536')
  })

  it('lets overrides win over the environment', () => {
    const env = { BENTO_EMBEDDER: 'openai', OPENROUTER_API_KEY: 'sk', BENTO_EMBEDDINGS_DIMENSION: '64' }
    expect(embedderFromEnv(env).id).toBe('openai:openai/text-embedding-3-small:64')
    expect(embedderFromEnv(env, { kind: 'local' }).id).toBe('local-hash-v1:64')
    expect(embedderFromEnv(env, { dimension: 32 }).id).toBe('openai:openai/text-embedding-3-small:32')
  })

  it.each<[string, Record<string, string>]>([
    ['an unknown embedder', { BENTO_EMBEDDER: 'cohere' }],
    ['a non-numeric dimension', { BENTO_EMBEDDINGS_DIMENSION: '384px' }],
    ['a negative dimension', { BENTO_EMBEDDINGS_DIMENSION: '-1' }],
    ['a too small local dimension', { BENTO_EMBEDDINGS_DIMENSION: '4' }],
    ['openai without a key', { BENTO_EMBEDDER: 'openai' }],
    ['a bad URL', { BENTO_EMBEDDER: 'openai', OPENROUTER_API_KEY: 'sk-hidden', BENTO_EMBEDDINGS_URL: 'not a url' }],
  ])('rejects %s with InvalidOptionsError', (_name, env) => {
    expect(() => embedderFromEnv(env)).toThrow(InvalidOptionsError)
    try {
      embedderFromEnv(env)
    } catch (error) {
      expect((error as Error).message).not.toContain('sk-hidden')
    }
  })
})
