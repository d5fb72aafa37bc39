import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/core/errors.js'
import { createBentoServer } from '../../src/server/index.js'
import { serverOptionsFromEnv } from '../../src/server/env.js'

describe('createBentoServer options', () => {
  it.each([
    [{ isolation: 'sessions' }, /isolation/],
    [{ isolaton: 'session' }, /unknown option isolaton/],
    [{ maxOpenStores: 0 }, /maxOpenStores/],
    [{ sessionTtlMs: -5 }, /sessionTtlMs/],
    [{ chat: { baseUrl: 'ftp://x' } }, /chat\.baseUrl/],
    [{ chat: { model: 'a', models: ['b'] } }, /chat\.model must be one of chat\.models/],
    [{ embedder: { embed: 'no' } }, /embedder/],
    [{ cors: { origin: [] } }, /cors/],
    [{ memory: { enabled: 'yes' } }, /memory\.enabled/],
  ])('rejects %j at creation with a clear message', (options, message) => {
    const create = () => createBentoServer({ logger: false, ...(options as object) })
    expect(create).toThrow(InvalidOptionsError)
    expect(create).toThrow(message)
  })

  it('resolves defaults into a config without secrets', async () => {
    const server = createBentoServer({ dataDir: 'relative-data', openRouterKey: 'sk-secret-value', logger: false })
    try {
      expect(server.config).toMatchObject({ isolation: 'none', sessionTtlMs: 86_400_000, maxOpenStores: 64, chat: { llm: true } })
      expect(server.config.dataDir).toBe(`${process.cwd()}/relative-data`)
      expect(JSON.stringify(server.config)).not.toContain('sk-secret-value')
      expect(Object.isFrozen(server.config)).toBe(true)
    } finally {
      await server.stop()
    }
  })

  it('reads the environment for bento serve', () => {
    expect(serverOptionsFromEnv({
      BENTO_ISOLATION: 'custom', BENTO_DATA_DIR: '/srv/bento', BENTO_CLIENT_KEYS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb', OPENROUTER_API_KEY: 'sk',
      BENTO_SESSION_TTL: '2h', BENTO_CLEANUP_INTERVAL: '1m30s', BENTO_MEMORY: 'true',
    })).toEqual({
      isolation: 'custom', dataDir: '/srv/bento', accessKeys: { client: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'] }, openRouterKey: 'sk',
      sessionTtlMs: 7_200_000, cleanupIntervalMs: 90_000, memory: { enabled: true },
    })
    expect(() => serverOptionsFromEnv({ BENTO_ISOLATION: 'all' })).toThrow(/BENTO_ISOLATION/)
    expect(() => serverOptionsFromEnv({ BENTO_MAX_OPEN_STORES: '12x' })).toThrow(/BENTO_MAX_OPEN_STORES/)
  })

  it('reads durations under the names bento serve documents, and refuses numbers and the old _MS names', async () => {
    expect(() => serverOptionsFromEnv({ BENTO_SESSION_TTL: '86400000' })).toThrow(/Invalid BENTO_SESSION_TTL "86400000": use a number and a unit/)
    expect(() => serverOptionsFromEnv({ BENTO_CLEANUP_INTERVAL: '30 minutes' })).toThrow(/BENTO_CLEANUP_INTERVAL/)
    expect(() => serverOptionsFromEnv({ BENTO_SESSION_TTL_MS: '1000' })).toThrow('BENTO_SESSION_TTL_MS is no longer read: set BENTO_SESSION_TTL to a duration such as 24h or 30m.')
    expect(() => serverOptionsFromEnv({ BENTO_CLEANUP_INTERVAL_MS: '1000' })).toThrow(/set BENTO_CLEANUP_INTERVAL/)
    const server = createBentoServer({ ...serverOptionsFromEnv({ BENTO_SESSION_TTL: '30m', BENTO_CLEANUP_INTERVAL: '5m' }), logger: false })
    try {
      expect(server.config).toMatchObject({ sessionTtlMs: 1_800_000, cleanupIntervalMs: 300_000 })
    } finally {
      await server.stop()
    }
  })
})
