/**
 * The PostgreSQL backend's side of `bento export` / `bento import`: the same
 * shapes as the fs backend (ScopeSnapshot, ScopeImportSource), so one archive
 * moves a scope between backends. Both run in one transaction under the scope's
 * lock: an export reads a consistent scope, an import publishes all of it at
 * commit or nothing (a crash or a bad upload rolls everything back).
 */
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js'
import { assertDocumentId } from '../../ingest/document-id.js'
import { assertValidFileName } from '../../ingest/file-name.js'
import type { Scope } from '../../keys.js'
import { isConversationId } from '../../sessions.js'
import { conversationOf } from '../../conversation-model.js'
import type { ScopeImportSource, ScopeIoOptions, ScopeSnapshot, ScopeStoreContents, ScopeUpload, StorePart } from '../types.js'
import type { PgScopeIoDeps } from './pg-backend.js'
import type { Queryable } from './store-state.js'
import { ensureScopeRow, scopeIdOf } from './scope-rows.js'

const readStore = async (deps: PgScopeIoDeps, q: Queryable, scope: Scope, part: StorePart): Promise<ScopeStoreContents> => {
  const state = await deps.stateOf(q, scope, part)
  const store = deps.storeFor(scope, part, state, { embedderId: state.row?.embedderId ?? deps.embedder.id, dimension: state.row?.dimension ?? deps.embedder.dimension })
  const stats = store.stats()
  const chunks = await store.exportChunks()
  return { embedderId: stats.embedderId, dimension: chunks.length > 0 ? stats.dimension : undefined, space: stats.space, efSearch: undefined, chunks }
}

export const exportPgScope = <T>(deps: PgScopeIoDeps, scope: Scope, fn: (snapshot: ScopeSnapshot) => Promise<T>, options: ScopeIoOptions = {}): Promise<T> =>
  deps.transaction(scope, async (q) => {
    const scopeId = await scopeIdOf(q, deps.s, scope)
    if (scopeId === undefined) throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
    const times = (await q.query<{ created_at: Date; last_active_at: Date }>(`SELECT created_at, last_active_at FROM ${deps.s}.scopes WHERE id = $1`, [scopeId])).rows[0]!
    const uploads = (await q.query<{ document_id: string; file_name: string; size: string }>(
      `SELECT document_id, file_name, size FROM ${deps.s}.uploads WHERE scope_id = $1 ORDER BY document_id`,
      [scopeId],
    )).rows.map((row): ScopeUpload => ({
      documentId: row.document_id,
      name: row.file_name,
      size: Number(row.size),
      read: async () => (await q.query<{ content: Buffer }>(`SELECT content FROM ${deps.s}.uploads WHERE scope_id = $1 AND document_id = $2`, [scopeId, row.document_id])).rows[0]!.content,
    }))
    // Owned by the scope they are read from, as on fs: a moved scope's rows still name the old key until rewritten.
    const conversations = (await q.query<{ id: string; body: unknown }>(`SELECT id, body FROM ${deps.s}.conversations WHERE scope_id = $1 ORDER BY id`, [scopeId])).rows
      .map((row) => conversationOf(row.body, scope, `Conversation row ${JSON.stringify(row.id)} has an unexpected shape`))
    return fn({
      scope,
      createdAt: times.created_at,
      lastActiveAt: times.last_active_at,
      documents: await readStore(deps, q, scope, 'documents'),
      memory: await readStore(deps, q, scope, 'memory'),
      uploads,
      conversations,
    })
  }, options.lockWaitMs)

const describe = (held: Awaited<ReturnType<PgScopeIoDeps['holdings']>>) =>
  `${held.documents} documents, ${held.memories} memories, ${held.uploads} uploads, ${held.conversations} conversations`

export const importPgScope = (deps: PgScopeIoDeps, scope: Scope, source: ScopeImportSource, options: ScopeIoOptions = {}): Promise<void> =>
  deps.transaction(scope, async (q) => {
    const held = await deps.holdings(scope)
    if (held.documents + held.memories + held.uploads + held.conversations > 0) {
      throw new ConflictError(`Scope "${scope.key}" already holds data (${describe(held)}); import refuses to merge. Import into another key with --as, or remove it first.`)
    }
    const now = deps.now()
    // An import is activity: a restored scope must not look expired to the next cleanup.
    const createdAt = source.createdAt && source.createdAt.getTime() <= now.getTime() ? source.createdAt : now
    const scopeId = await ensureScopeRow(q, deps.s, scope, createdAt)
    await q.query(`UPDATE ${deps.s}.scopes SET created_at = $2, last_active_at = $3 WHERE id = $1`, [scopeId, createdAt, now])
    for (const part of ['documents', 'memory'] as const) {
      const contents = part === 'documents' ? source.documents : source.memory
      if (contents.chunks.length === 0) continue
      const identity = { embedderId: contents.embedderId ?? deps.embedder.id, dimension: contents.dimension ?? deps.embedder.dimension, space: contents.space }
      const store = deps.storeFor(scope, part, await deps.stateOf(q, scope, part), identity)
      // Stored vectors, added bit for bit: never re-embedded, never normalized again.
      await store.add(contents.chunks.map((chunk) => ({ ...chunk, stored: true })))
    }
    for (const conversation of source.conversations) {
      if (!isConversationId(conversation.id)) throw new InvalidInputError(`Invalid conversation id ${JSON.stringify(conversation.id.slice(0, 60))}.`)
      await q.query(`INSERT INTO ${deps.s}.conversations (scope_id, id, body, updated_at) VALUES ($1, $2, $3, $4)`, [scopeId, conversation.id, JSON.stringify(conversation), new Date(conversation.updatedAt)])
    }
    for await (const upload of source.uploads) {
      const documentId = assertDocumentId(upload.documentId)
      const name = assertValidFileName(upload.name)
      const parts: Uint8Array[] = []
      for await (const piece of upload.content) parts.push(piece)
      const content = Buffer.concat(parts)
      await q.query(
        `INSERT INTO ${deps.s}.uploads (scope_id, document_id, file_name, size, content, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [scopeId, documentId, name, content.length, content, now],
      )
    }
  }, options.lockWaitMs)
