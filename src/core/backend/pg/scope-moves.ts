/**
 * The PostgreSQL backend's `ScopeMoves`. Every operation is one transaction
 * holding the advisory locks of the scopes it changes, so a crash (or a killed
 * replica) rolls it back and there is never anything to finish later.
 *
 * - A move into an empty target renames the scope's row (constant time: its
 *   stores, chunks, uploads and conversations hang off the row's id).
 * - A copy into an empty target copies the rows in SQL (vectors as stored).
 * - A merge adds the source's chunks to the target store with their stored
 *   vectors (`scope-merge.ts`, shared with the fs backend), uploads and
 *   conversations in SQL, never overwriting on a name clash.
 * - A removal deletes each batch's scope rows (the rest cascades) in a short
 *   transaction that locks only that batch's scopes, taking each lock without
 *   waiting: a scope locked by another replica is skipped, and one a concurrent
 *   sweep removed first is reported as already removed.
 */
import { DEFAULT_LOCK_WAIT_MS } from '../../defaults.js'
import type { Scope } from '../../keys.js'
import type { RemoveScopesOptions, ScopeMergeCounts, ScopeMoves, ScopeRemovalReport } from '../contract/scope-moves.js'
import { deriveClashId, emptyMergeCounts, mergeStore } from '../scope-merge.js'
import type { StorageBackend } from '../types.js'
import { ensureScopeRow, isScopeLocked, scopeIdOf } from './scope-rows.js'
import { loadStoreRow, type Queryable } from './store-state.js'

export interface PgMoveDeps {
  s: string
  schema: string
  withStore: StorageBackend['withStore']
  usage: StorageBackend['usage']
  evict(scope: Scope): Promise<void>
  isInUse(scope: Scope): boolean
  /** The running transaction's connection, else the pool. */
  reader(): Queryable
  /** The running transaction's connection, else undefined. */
  open(): Queryable | undefined
  /** Runs `fn` in a new transaction whose connection every nested call uses; `locking` names the scopes it will lock and how long it may wait for them. */
  transaction<T>(fn: (q: Queryable) => Promise<T>, locking?: { scopes: readonly Scope[]; waitMs: number }): Promise<T>
  /** Takes the scope's lock in the running transaction, waiting at most `waitMs`. */
  lockScope(scope: Scope, waitMs: number): Promise<void>
  now(): Date
}

/**
 * Surveys come from stored byte counts, a query per scope, one at a time: PGlite's
 * socket server interleaves concurrent statements of several connections into its
 * one session, so concurrent parameterized queries can fail or answer another's
 * rows (electric-sql/pglite issue 1046), and a plan must not depend on that.
 */
const SURVEY_CONCURRENCY = 1

const lockOrder = (scopes: Scope[]) => [...scopes].sort((a, b) => (`${a.kind}/${a.dir}` < `${b.kind}/${b.dir}` ? -1 : 1))

/** Tables whose rows belong to a scope's id, in the order a copy inserts them (stores before what references them). */
const COPIES = (s: string): string[] => [
  `INSERT INTO ${s}.stores (scope_id, part, embedder_id, dimension, space, analyzer, revision, next_label, live, token_total, bytes, created_at, updated_at)
   SELECT $2, part, embedder_id, dimension, space, analyzer, revision, next_label, live, token_total, bytes, created_at, updated_at FROM ${s}.stores WHERE scope_id = $1`,
  `INSERT INTO ${s}.chunks (scope_id, part, label, document_id, title, text, chunk_index, metadata, embedding, lexemes, token_count, bytes)
   SELECT $2, part, label, document_id, title, text, chunk_index, metadata, embedding, lexemes, token_count, bytes FROM ${s}.chunks WHERE scope_id = $1`,
  `INSERT INTO ${s}.documents (scope_id, part, document_id, title, metadata, chunks, bytes, first_label)
   SELECT $2, part, document_id, title, metadata, chunks, bytes, first_label FROM ${s}.documents WHERE scope_id = $1`,
  `INSERT INTO ${s}.uploads (scope_id, document_id, file_name, size, content, created_at)
   SELECT $2, document_id, file_name, size, content, created_at FROM ${s}.uploads WHERE scope_id = $1`,
  `INSERT INTO ${s}.conversations (scope_id, id, body, updated_at) SELECT $2, id, body, updated_at FROM ${s}.conversations WHERE scope_id = $1`,
]

export const createPgScopeMoves = (deps: PgMoveDeps): ScopeMoves => {
  const { s, schema } = deps
  const inOpen = (): Queryable => {
    const q = deps.open()
    if (!q) throw new Error('a scope move runs inside withScopesLocked')
    return q
  }

  const mergeConversations = async (q: Queryable, fromId: string, toId: string, from: Scope, counts: ScopeMergeCounts) => {
    const { rows } = await q.query<{ id: string; same: boolean | null; updated_at: Date }>(
      `SELECT src.id, src.body = dst.body AS same, src.updated_at FROM ${s}.conversations src
       LEFT JOIN ${s}.conversations dst ON dst.scope_id = $2 AND dst.id = src.id WHERE src.scope_id = $1 ORDER BY src.id`,
      [fromId, toId],
    )
    for (const row of rows) {
      if (row.same === true) continue
      let id = row.id
      if (row.same === false) {
        id = deriveClashId(row.id, from.dir)
        counts.renamed.push({ from: row.id, to: id })
      }
      // The body carries its id: one merged under a new id gets the new id written in.
      const { rowCount } = await q.query(
        `INSERT INTO ${s}.conversations (scope_id, id, body, updated_at)
         SELECT $2, $4, jsonb_set(body, '{id}', to_jsonb($4::text)), updated_at FROM ${s}.conversations WHERE scope_id = $1 AND id = $3
         ON CONFLICT (scope_id, id) DO NOTHING`,
        [fromId, toId, row.id, id],
      )
      counts.conversations += rowCount ?? 0
    }
  }

  const removeScopes = async (scopes: Scope[], options: RemoveScopesOptions = {}): Promise<ScopeRemovalReport> => {
    const report: ScopeRemovalReport = { removed: [], skipped: [] }
    const skip = (scope: Scope, reason: string, code?: string) => void report.skipped.push({ scope, reason, ...(code ? { code } : {}) })
    const candidates = lockOrder(scopes).filter((scope) => (deps.isInUse(scope) ? (skip(scope, 'in use in this process'), false) : true))
    if (candidates.length === 0) return report
    const removed = await deps.transaction(async (q) => {
      const ids: string[] = []
      const gone: Scope[] = []
      for (const scope of candidates) {
        // A try, never a wait: replicas sweeping at once skip each other's scopes instead of queueing.
        if (await isScopeLocked(q, schema, scope)) {
          skip(scope, 'locked by another process')
          continue
        }
        const refused = await options.recheck?.(scope)
        const id = refused ? undefined : await scopeIdOf(q, s, scope)
        if (refused) skip(scope, refused.reason, refused.code)
        else if (id === undefined) skip(scope, 'already removed')
        else if (deps.isInUse(scope)) skip(scope, 'in use in this process')
        else {
          ids.push(id)
          gone.push(scope)
        }
      }
      if (ids.length === 0) return gone
      if (options.retireSessions) {
        const sessions = gone.filter((scope) => scope.kind === 'session').map((scope) => scope.dir)
        await q.query(`INSERT INTO ${s}.retired_sessions (dir, retired_at) SELECT unnest($1::text[]), $2 ON CONFLICT (dir) DO NOTHING`, [sessions, deps.now()])
      }
      await q.query(`DELETE FROM ${s}.scopes WHERE id = ANY($1::bigint[])`, [ids])
      return gone
    })
    for (const scope of removed) await deps.evict(scope)
    report.removed.push(...removed)
    return report
  }

  return {
    async storeStats(scope, part) {
      const found = await loadStoreRow(deps.reader(), s, scope, part)
      if (found.row === undefined) return undefined
      return deps.withStore(scope, async (store) => store.stats(), { part })
    },
    openScopeSurveyor: () => ({
      concurrency: SURVEY_CONCURRENCY,
      survey: async (scope) => {
        // One query: a scope without a row has no activity either.
        const usage = await deps.usage(scope)
        return { exists: usage.lastActiveAt !== undefined, bytes: usage.totalBytes, lastActiveAt: usage.lastActiveAt, maybeLocked: true }
      },
      close: async () => undefined,
    }),
    async withScopesLocked(scopes, fn, options = {}) {
      const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS
      const lockAll = async () => {
        for (const scope of lockOrder(scopes)) await deps.lockScope(scope, waitMs)
        return fn()
      }
      return deps.open() ? lockAll() : deps.transaction(lockAll, { scopes, waitMs })
    },
    async moveScope(from, to, options) {
      const q = inOpen()
      const fromId = await scopeIdOf(q, s, from)
      if (fromId === undefined) return
      // The target holds nothing (checked by the caller under the locks): an empty row it may have goes.
      await q.query(`DELETE FROM ${s}.scopes WHERE kind = $1 AND dir = $2`, [to.kind, to.dir])
      if (options.copy) {
        const toId = await ensureScopeRow(q, s, to, deps.now())
        for (const sql of COPIES(s)) await q.query(sql, [fromId, toId])
      } else {
        await q.query(`UPDATE ${s}.scopes SET kind = $2, dir = $3, key = $4 WHERE id = $1`, [fromId, to.kind, to.dir, to.key])
      }
      await deps.evict(from)
      await deps.evict(to)
      options.onProgress?.({ done: 1, total: 1, label: 'renamed' })
    },
    async mergeScope(from, to, options) {
      const q = inOpen()
      const counts = emptyMergeCounts()
      const fromId = await scopeIdOf(q, s, from)
      if (fromId === undefined) return counts
      const toId = await ensureScopeRow(q, s, to, deps.now())
      const copyUpload = async (sourceId: string, id: string) => {
        const { rowCount } = await q.query(
          `INSERT INTO ${s}.uploads (scope_id, document_id, file_name, size, content, created_at)
           SELECT $2, $4, file_name, size, content, created_at FROM ${s}.uploads WHERE scope_id = $1 AND document_id = $3
           ON CONFLICT (scope_id, document_id) DO UPDATE SET file_name = EXCLUDED.file_name, size = EXCLUDED.size, content = EXCLUDED.content, created_at = EXCLUDED.created_at`,
          [fromId, toId, sourceId, id],
        )
        return rowCount ?? 0
      }
      for (const part of ['documents', 'memory'] as const) {
        if ((await loadStoreRow(q, s, from, part)).row === undefined) continue
        await mergeStore({ withStore: deps.withStore, copyUpload }, from, to, part, counts, options.onProgress)
      }
      await mergeConversations(q, fromId, toId, from, counts)
      if (!options.copy) await q.query(`DELETE FROM ${s}.scopes WHERE id = $1`, [fromId])
      await deps.evict(from)
      await deps.evict(to)
      return counts
    },
    removeScopes,
    // Each operation is one transaction: a crash rolls it back, so nothing is ever left half-done to finish.
    finishPendingOperations: async () => ({ completed: [], pending: [] }),
  }
}
