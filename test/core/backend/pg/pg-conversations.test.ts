/**
 * Conversations as rows, where the contract's conformance tests cannot reach: a
 * row another tool damaged is left out of the list and answers corrupt on read,
 * as a damaged file does on the fs backend (test/core/conversations.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { createPgBackend } from '../../../../src/core/backend/pg/pg-backend.js'
import { parseDatabaseSpec } from '../../../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../../../src/core/embeddings/local.js'
import { customScope } from '../../../../src/core/keys.js'
import { usePgDatabase } from '../../../helpers/pg.js'

const db = usePgDatabase()

describe('PostgreSQL backend: conversation rows', () => {
  it('a damaged row is left out of the list and read as corrupt; the others stay listed', async () => {
    const backend = await createPgBackend({ spec: parseDatabaseSpec(`${db.url}?schema=${db.schema()}`), embedder: createLocalEmbedder({ dimension: 16 }), poolSize: 2 })
    try {
      const user = customScope('user-damaged')
      const [kept, damaged, renamed] = [await backend.createConversation(user), await backend.createConversation(user), await backend.createConversation(user)]
      const { s, pool } = backend.database
      await pool.query(`UPDATE ${s}.conversations SET body = body - 'messages' WHERE id = $1`, [damaged.id])
      await pool.query(`UPDATE ${s}.conversations SET body = jsonb_set(body, '{id}', to_jsonb($2::text)) WHERE id = $1`, [renamed.id, kept.id])
      expect((await backend.listConversations(user)).map((row) => row.id)).toEqual([kept.id])
      await expect(backend.getConversation(user, damaged.id)).rejects.toMatchObject({ code: 'corrupt_store' })
      await expect(backend.getConversation(user, renamed.id)).rejects.toMatchObject({ code: 'not_found' })
      expect((await backend.getConversation(user, kept.id)).messages).toEqual([])
    } finally {
      await backend.close()
    }
  })
})
