/** Scope quotas on the PostgreSQL backend: the same contract as the fs backend's (test/core/backend/fs-backend.test.ts). */
import { describe, expect, it } from 'vitest'
import { createPgBackend } from '../../../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../../../src/core/embeddings/local.js'
import { customScope, sharedScope } from '../../../../src/core/keys.js'
import { usePgDatabase } from '../../../helpers/pg.js'

const db = usePgDatabase()

describe('PostgreSQL backend: getQuota / setQuota', () => {
  it('keeps a quota per scope, replaces and clears it, and creates no scope', async () => {
    const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=quota_a`), embedder: createLocalEmbedder(), poolSize: 2 })
    try {
      const user = customScope('tenant_a:user_1')
      expect(await backend.getQuota(user)).toBeUndefined()
      await backend.setQuota(user, { maxBytes: 5_000_000_000, maxDocuments: 5 })
      await backend.setQuota(sharedScope(), { maxDocuments: 1 })
      expect(await backend.getQuota(user)).toEqual({ maxBytes: 5_000_000_000, maxDocuments: 5 })
      expect(await backend.getQuota(sharedScope())).toEqual({ maxDocuments: 1 })
      expect(await backend.scopeExists(user)).toBe(false)
      await backend.setQuota(user, { maxDocuments: 7 })
      expect(await backend.getQuota(user)).toEqual({ maxDocuments: 7 })
      await backend.setQuota(user, undefined)
      expect(await backend.getQuota(user)).toBeUndefined()
    } finally {
      await backend.close()
    }
  })
})
