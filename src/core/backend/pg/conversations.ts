/**
 * The conversation contract on PostgreSQL: one row per conversation in the
 * `conversations` table (docs/STORE-FORMAT.md), its body the same JSON document
 * the fs backend writes to a file. Changes run in the scope's transaction under
 * its advisory lock, so two replicas appending to one conversation never lose a
 * turn; a row is found only through its scope's (kind, dir), so another scope
 * never sees it.
 */
import {
  assertConversationIdOrNotFound, assertSomethingToAppend, byActivity, conversationExpired, conversationNotFound, conversationOf, isExpired, newConversation, withAppended,
  type Conversation, type ConversationOptions, type ConversationSummary,
} from '../../conversation-model.js'
import type { Scope } from '../../keys.js'
import type { ConversationStorage } from '../contract/conversations.js'
import { ensureScopeRow } from './scope-rows.js'
import type { Queryable } from './store-state.js'

export interface PgConversationDeps {
  /** The quoted schema. */
  s: string
  /** The running write's connection, else the pool. */
  reader(): Queryable
  /** Runs `fn` in a transaction holding the scope's lock (or inside the one already running). */
  transaction<T>(scope: Scope, fn: (q: Queryable) => Promise<T>, waitMs?: number): Promise<T>
  now(): Date
}

const corrupt = (id: string) => `Conversation row ${JSON.stringify(id)} has an unexpected shape`

export const pgConversations = (deps: PgConversationDeps): ConversationStorage => {
  const { s } = deps
  const inScope = `c.scope_id = (SELECT id FROM ${s}.scopes WHERE kind = $1 AND dir = $2)`

  const readRow = async (q: Queryable, scope: Scope, id: string, forUpdate: boolean): Promise<Conversation | undefined> => {
    const { rows } = await q.query<{ body: unknown }>(`SELECT c.body FROM ${s}.conversations c WHERE ${inScope} AND c.id = $3${forUpdate ? ' FOR UPDATE' : ''}`, [scope.kind, scope.dir, id])
    return rows[0] === undefined ? undefined : conversationOf(rows[0].body, scope, corrupt(id))
  }

  const write = (q: Queryable, scopeId: string, conversation: Conversation) =>
    q.query(
      `INSERT INTO ${s}.conversations (scope_id, id, body, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope_id, id) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`,
      [scopeId, conversation.id, JSON.stringify(conversation), new Date(conversation.updatedAt)],
    )

  /** Removes expired conversations, unless one was written since it was read expired (its `updated_at` moved). */
  const removeExpired = (scope: Scope, expired: Array<Pick<Conversation, 'id' | 'updatedAt'>>, options: ConversationOptions) =>
    deps.transaction(scope, async (q) => {
      for (const conversation of expired) {
        await q.query(`DELETE FROM ${s}.conversations c WHERE ${inScope} AND c.id = $3 AND c.updated_at = $4`, [scope.kind, scope.dir, conversation.id, new Date(conversation.updatedAt)])
      }
    }, options.lockWaitMs).catch(() => undefined)

  return {
    createConversation: async (scope, options = {}) => {
      const conversation = newConversation(scope, options)
      await deps.transaction(scope, async (q) => write(q, await ensureScopeRow(q, s, scope, deps.now()), conversation), options.lockWaitMs)
      return conversation
    },

    getConversation: async (scope, id, options = {}) => {
      assertConversationIdOrNotFound(id)
      const conversation = await readRow(deps.reader(), scope, id, false)
      if (conversation === undefined || conversation.id !== id) throw conversationNotFound(id)
      if (isExpired(conversation, options)) {
        await removeExpired(scope, [conversation], options)
        throw conversationExpired(id)
      }
      return conversation
    },

    // Summaries come from the rows' fields in SQL: listing never loads the messages.
    listConversations: async (scope, options = {}) => {
      const { rows } = await deps.reader().query<{ id: string; well_formed: boolean; body_id: string; created_at: string; updated_at: string; message_count: number }>(
        `SELECT c.id, c.body->>'id' AS body_id, c.body->>'createdAt' AS created_at, c.body->>'updatedAt' AS updated_at,
                COALESCE(jsonb_typeof(c.body->'id') = 'string' AND jsonb_typeof(c.body->'createdAt') = 'string'
                  AND jsonb_typeof(c.body->'updatedAt') = 'string' AND jsonb_typeof(c.body->'messages') = 'array', false) AS well_formed,
                CASE WHEN jsonb_typeof(c.body->'messages') = 'array' THEN jsonb_array_length(c.body->'messages') ELSE 0 END AS message_count
         FROM ${s}.conversations c WHERE ${inScope}`,
        [scope.kind, scope.dir],
      )
      const live: ConversationSummary[] = []
      const expired: Array<Pick<Conversation, 'id' | 'updatedAt'>> = []
      for (const row of rows) {
        // A damaged row is left out, as the fs backend leaves out a damaged file.
        if (!row.well_formed || row.body_id !== row.id) continue
        const summary = { id: row.id, userId: scope.key, createdAt: row.created_at, updatedAt: row.updated_at, messageCount: Number(row.message_count) }
        ;(isExpired(summary, options) ? expired : live).push(summary)
      }
      if (expired.length > 0) await removeExpired(scope, expired, options)
      return live.sort(byActivity)
    },

    appendConversationMessages: async (scope, id, messages, options = {}) => {
      assertSomethingToAppend(messages)
      assertConversationIdOrNotFound(id)
      return deps.transaction(scope, async (q) => {
        const current = await readRow(q, scope, id, true)
        if (current === undefined || isExpired(current, options)) throw conversationNotFound(id)
        const next = withAppended(current, messages, options)
        const { rows } = await q.query<{ id: string }>(`SELECT id FROM ${s}.scopes WHERE kind = $1 AND dir = $2`, [scope.kind, scope.dir])
        await write(q, rows[0]!.id, next)
        return next
      }, options.lockWaitMs)
    },

    deleteConversation: async (scope, id, options = {}) => {
      assertConversationIdOrNotFound(id)
      await deps.transaction(scope, async (q) => {
        const { rowCount } = await q.query(`DELETE FROM ${s}.conversations c WHERE ${inScope} AND c.id = $3`, [scope.kind, scope.dir, id])
        if ((rowCount ?? 0) === 0) throw conversationNotFound(id)
      }, options.lockWaitMs)
    },
  }
}
