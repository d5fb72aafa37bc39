/**
 * The package's public entries, imported by name from the built dist/ (as a
 * user would), expose what the README and docs/HTTP-API.md promise.
 */
import { describe, expect, it } from 'vitest'

describe('public entries', () => {
  it('bento-core, bento-core/client and bento-core/middleware/isolation resolve and export the documented API', async () => {
    const core = await import('bento-core')
    for (const name of ['createBentoServer', 'cleanupSessions', 'customScope', 'sessionScope', 'sharedScope', 'scopeFromArg', 'createFsBackend',
      'createLocalEmbedder', 'createOpenAIEmbedder', 'embedderFromEnv', 'openStore', 'diskUsage', 'planMigrate', 'applyMigrate', 'planCleanup',
      'applyCleanup', 'inspectScope', 'cleanupExpiredSessions', 'searchScope', 'searchStore', 'reindexScopes', 'compactScopes', 'adoptScope', 'tokenizeForSearch', 'BentoError', 'InvalidKeyError', 'NotFoundError']) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe('function')
    }
    const client = await import('bento-core/client')
    expect(typeof client.createBentoClient).toBe('function')
    const middleware = await import('bento-core/middleware/isolation')
    expect(typeof middleware.cleanupSessions).toBe('function')
    expect(typeof middleware.isolation).toBe('function')
  })
})
