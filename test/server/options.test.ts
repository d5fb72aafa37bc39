import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { InvalidOptionsError } from '../../src/core/errors.js'
import { customScope } from '../../src/core/keys.js'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { serverOptionsFromEnv } from '../../src/server/env.js'
import { assertBuilt, runBento } from '../cli/support/bento.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { useServers } from './helpers.js'

const tempDir = useTempDirs()
const makeServer = useServers()

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
    [{ readFreshnessMs: -1 }, /readFreshnessMs/],
    [{ readFreshnessMs: 2.5 }, /readFreshnessMs/],
    [{ trustProxy: 'yes' }, /trustProxy/],
  ])('rejects %j at creation with a clear message', (options, message) => {
    const create = () => createBentoServer({ logger: false, ...(options as object) })
    expect(create).toThrow(InvalidOptionsError)
    expect(create).toThrow(message)
  })

  it('resolves defaults into a config without secrets', async () => {
    const server = createBentoServer({ dataDir: 'relative-data', openRouterKey: 'sk-secret-value', logger: false })
    try {
      expect(server.config).toMatchObject({ isolation: 'none', sessionTtlMs: 86_400_000, maxOpenStores: 10_000, maxStoreMemory: 512 * 1024 ** 2, readFreshnessMs: 50, trustProxy: false, chat: { llm: true } })
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
    // The variable the user set is named, never a flag they did not pass (nor createBentoServer's option name).
    expect(() => serverOptionsFromEnv({ BENTO_MAX_OPEN_STORES: '0' })).toThrow('Invalid BENTO_MAX_OPEN_STORES "0": expected a whole number of at least 1.')
    expect(() => serverOptionsFromEnv({ BENTO_MAX_OPEN_STORES: '100001' })).toThrow(/Invalid BENTO_MAX_OPEN_STORES "100001": expected at most 100000/)
    expect(serverOptionsFromEnv({ BENTO_READ_FRESHNESS: '0' })).toEqual({ readFreshnessMs: 0 })
    expect(serverOptionsFromEnv({ BENTO_MAX_STORE_MEMORY: '64m' })).toEqual({ maxStoreMemory: 64 * 1024 ** 2 })
    expect(() => serverOptionsFromEnv({ BENTO_MAX_STORE_MEMORY: 'lots' })).toThrow(/Invalid BENTO_MAX_STORE_MEMORY "lots"/)
    expect(serverOptionsFromEnv({ BENTO_MAX_STORE_MEMORY: 'lots' }, { given: ['BENTO_MAX_STORE_MEMORY'] })).toEqual({})
    expect(serverOptionsFromEnv({ BENTO_TRUST_PROXY: '1' })).toEqual({ trustProxy: true })
    expect(serverOptionsFromEnv({ BENTO_TRUST_PROXY: 'false' })).toEqual({ trustProxy: false })
    expect(() => serverOptionsFromEnv({ BENTO_READ_FRESHNESS: '50ms' })).toThrow(/BENTO_READ_FRESHNESS/)
  })

  it('reads switches as yes/no words too, and refuses a value that is neither instead of treating it as off', () => {
    for (const on of ['1', 'TRUE', 'yes', 'On']) expect(serverOptionsFromEnv({ BENTO_MEMORY: on })).toEqual({ memory: { enabled: true } })
    for (const off of ['0', 'False', 'no', 'OFF']) expect(serverOptionsFromEnv({ BENTO_TRUST_PROXY: off })).toEqual({ trustProxy: false })
    expect(serverOptionsFromEnv({ BENTO_MEMORY: '  ' })).toEqual({})
    expect(() => serverOptionsFromEnv({ BENTO_MEMORY: 'enabled' })).toThrow('Invalid BENTO_MEMORY "enabled": expected 1, true, yes or on, or 0, false, no or off.')
    expect(() => serverOptionsFromEnv({ BENTO_TRUST_PROXY: 'y' })).toThrow(/Invalid BENTO_TRUST_PROXY "y"/)
  })

  it('reads durations under the names bento serve documents, and refuses numbers and the old _MS names', async () => {
    expect(() => serverOptionsFromEnv({ BENTO_SESSION_TTL: '86400000' })).toThrow(/Invalid BENTO_SESSION_TTL "86400000": use a number and a unit/)
    expect(() => serverOptionsFromEnv({ BENTO_CLEANUP_INTERVAL: '30 minutes' })).toThrow(/BENTO_CLEANUP_INTERVAL/)
    expect(() => serverOptionsFromEnv({ BENTO_SESSION_TTL_MS: '1000' })).toThrow('BENTO_SESSION_TTL_MS is no longer read: set BENTO_SESSION_TTL to a duration such as 24h or 30m.')
    // A setting given elsewhere (a flag) is neither read nor checked: the flag wins over a bad variable.
    expect(serverOptionsFromEnv({ BENTO_SESSION_TTL_MS: '1000', BENTO_MAX_OPEN_STORES: '0', BENTO_MEMORY: '1' }, { given: ['BENTO_SESSION_TTL', 'BENTO_MAX_OPEN_STORES'] })).toEqual({ memory: { enabled: true } })
    expect(() => serverOptionsFromEnv({ BENTO_CLEANUP_INTERVAL_MS: '1000' })).toThrow(/set BENTO_CLEANUP_INTERVAL/)
    const server = createBentoServer({ ...serverOptionsFromEnv({ BENTO_SESSION_TTL: '30m', BENTO_CLEANUP_INTERVAL: '5m' }), logger: false })
    try {
      expect(server.config).toMatchObject({ sessionTtlMs: 1_800_000, cleanupIntervalMs: 300_000 })
    } finally {
      await server.stop()
    }
  })
})

describe('readFreshnessMs', () => {
  const KEY = 'user-1'
  const titles = async (server: BentoServer): Promise<string[] | number> => {
    const response = await server.getApp().request('/api/documents/list', { headers: { 'x-isolation-key': KEY } })
    if (response.status !== 200) return response.status
    return ((await response.json()) as { documents: Array<{ title: string }> }).documents.map((doc) => doc.title).sort()
  }

  it('reaches the backend: with 0 another process\'s change is seen on the very next read, a long window keeps the checked state', async () => {
    assertBuilt()
    const dataDir = await tempDir()
    const input = await tempDir('bento-input-')
    await writeFile(path.join(input, 'alpha.md'), 'alpha notes about the store')
    await writeFile(path.join(input, 'bravo.md'), 'bravo notes about the pool')
    // `bento add` in a child process: a second backend on the same dir whose commit this process never hears of.
    const addInAnotherProcess = async (file: string) => {
      const run = await runBento(['add', KEY, path.join(input, file), '--data-dir', dataDir], { env: { BENTO_EMBEDDINGS_DIMENSION: '64' } })
      expect(run.code, run.stderr).toBe(0)
    }
    await addInAnotherProcess('alpha.md')
    const embedder = createLocalEmbedder({ dimension: 64 })
    const strict = await makeServer({ dataDir, isolation: 'custom', embedder, readFreshnessMs: 0 })
    const relaxed = await makeServer({ dataDir, isolation: 'custom', embedder, readFreshnessMs: 600_000 })
    expect(strict.config.readFreshnessMs).toBe(0)
    expect(await titles(strict)).toEqual(['alpha.md'])
    expect(await titles(relaxed)).toEqual(['alpha.md'])

    await addInAnotherProcess('bravo.md')
    expect(await titles(relaxed)).toEqual(['alpha.md']) // trusts its check of a moment ago, as configured
    expect(await titles(strict)).toEqual(['alpha.md', 'bravo.md'])

    // Far inside the default 50 ms window: another process's migrate journals the scope right after a read.
    const scope = customScope(KEY)
    const intent = { id: 'op-abc-0123456789ab', op: 'migrate-rename', scopes: [{ kind: scope.kind, key: scope.key, dir: scope.dir }], phase: 'start', pid: 1, host: 'elsewhere', createdAt: new Date().toISOString(), data: {} }
    expect(await titles(strict)).toEqual(['alpha.md', 'bravo.md'])
    await mkdir(strict.backend.layout.journalDir, { recursive: true })
    await writeFile(path.join(strict.backend.layout.journalDir, `${intent.id}.json`), JSON.stringify(intent))
    expect(await titles(relaxed)).toEqual(['alpha.md'])
    expect(await titles(strict)).toBe(503)
  })
})
