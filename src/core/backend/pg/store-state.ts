/**
 * What a PostgreSQL store object knows between queries: its `stores` row and its
 * documents (`listDocuments` and `stats` are synchronous in the store contract).
 * Read at the start of every use; the documents are re-read only when the
 * row's revision moved, so another replica's commit is seen at the next use.
 */
import type { Analyzer } from '../../lexical/index.js'
import type { DocumentSummary, Space } from '../../store/types.js'
import type { StorePart } from '../types.js'
import type { Scope } from '../../keys.js'

export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>
}

export interface StoreRow {
  embedderId: string | undefined
  dimension: number | undefined
  space: Space
  analyzer: Analyzer | undefined
  revision: number
  nextLabel: number
  live: number
  tokenTotal: number
  bytes: number
  /** The store's HNSW index (vector-index.ts) when it has one. */
  vectorIndex: string | undefined
}

export interface PgStoreState {
  /** undefined while the scope has no row (nothing was ever written to it). */
  scopeId: string | undefined
  /** undefined while the store has no row. */
  row: StoreRow | undefined
  documents: DocumentSummary[]
}

interface RawRow {
  scope_id: string
  embedder_id: string | null
  dimension: number | null
  space: Space | null
  analyzer: Analyzer | null
  revision: string | null
  next_label: string | null
  live: number | null
  token_total: string | null
  bytes: string | null
  vector_index: string | null
}

export const loadStoreRow = async (q: Queryable, s: string, scope: Scope, part: StorePart): Promise<Omit<PgStoreState, 'documents'>> => {
  const { rows } = await q.query<RawRow>(
    `SELECT sc.id AS scope_id, st.embedder_id, st.dimension, st.space, st.analyzer, st.revision, st.next_label, st.live, st.token_total, st.bytes, st.vector_index
     FROM ${s}.scopes sc LEFT JOIN ${s}.stores st ON st.scope_id = sc.id AND st.part = $3
     WHERE sc.kind = $1 AND sc.dir = $2`,
    [scope.kind, scope.dir, part],
  )
  const raw = rows[0]
  if (raw === undefined) return { scopeId: undefined, row: undefined }
  if (raw.revision === null) return { scopeId: raw.scope_id, row: undefined }
  return {
    scopeId: raw.scope_id,
    row: {
      embedderId: raw.embedder_id ?? undefined,
      dimension: raw.dimension ?? undefined,
      space: raw.space ?? 'cosine',
      analyzer: raw.analyzer ?? undefined,
      revision: Number(raw.revision),
      nextLabel: Number(raw.next_label),
      live: raw.live ?? 0,
      tokenTotal: Number(raw.token_total ?? 0),
      bytes: Number(raw.bytes ?? 0),
      vectorIndex: raw.vector_index ?? undefined,
    },
  }
}

export const loadDocuments = async (q: Queryable, s: string, scopeId: string, part: StorePart): Promise<DocumentSummary[]> => {
  const { rows } = await q.query<{ document_id: string; title: string; metadata: Record<string, unknown>; chunks: number; bytes: string }>(
    `SELECT document_id, title, metadata, chunks, bytes FROM ${s}.documents WHERE scope_id = $1 AND part = $2 ORDER BY first_label`,
    [scopeId, part],
  )
  return rows.map((row) => ({ id: row.document_id, title: row.title, chunks: row.chunks, bytes: Number(row.bytes), metadata: row.metadata }))
}

/** The documents of `documentIds` recomputed from their chunks (after a change to them, in the same transaction). */
export const refreshDocuments = async (q: Queryable, s: string, scopeId: string, part: StorePart, documentIds: readonly string[]): Promise<void> => {
  if (documentIds.length === 0) return
  await q.query(`DELETE FROM ${s}.documents WHERE scope_id = $1 AND part = $2 AND document_id = ANY($3::text[])`, [scopeId, part, documentIds])
  await q.query(
    `INSERT INTO ${s}.documents (scope_id, part, document_id, title, metadata, chunks, bytes, first_label)
     SELECT scope_id, part, document_id, (array_agg(title ORDER BY chunk_index, label))[1], (array_agg(metadata ORDER BY chunk_index, label))[1],
       count(*), sum(octet_length(text)), min(label)
     FROM ${s}.chunks WHERE scope_id = $1 AND part = $2 AND document_id = ANY($3::text[])
     GROUP BY scope_id, part, document_id`,
    [scopeId, part, documentIds],
  )
}
