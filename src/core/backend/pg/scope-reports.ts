/**
 * `ScopeReports` on PostgreSQL: du's and ls's summaries from the stored sizes (the
 * `bytes` counters of `stores`, the `size` of `uploads`), a page of scopes per query;
 * inspect's facts from the scope's rows, and with `verify` the stored counters checked
 * against the rows they count: live chunks, bytes, each document's chunk count, chunks
 * of no document and vectors of another dimension.
 */
import type { Scope } from '../../keys.js'
import type { ScopeReports, ScopeStorageReport, ScopeSummary, ScopeSummaryOptions, StoredUploadEntry } from '../contract/scope-reports.js'
import { scopeIdOf, scopeOfRow } from './scope-rows.js'
import type { Queryable } from './store-state.js'

export interface PgScopeReportsDeps {
  /** The quoted schema, as it enters SQL. */
  s: string
  schema: string
  reader(): Queryable
}

const PAGE = 1000
/** Problem lines per check: a badly damaged scope is summarized, not listed row by row. */
const MAX_LISTED = 20

interface SummaryRow {
  id: string
  kind: Scope['kind']
  key: string
  dir: string
  last_active_at: Date
  vector_bytes: string
  upload_bytes: string
  uploads: string
  documents: string | null
  max_bytes: string | null
  max_documents: string | null
}

export const createPgScopeReports = ({ s, schema, reader }: PgScopeReportsDeps): ScopeReports => {
  async function* scopeSummaries(options: ScopeSummaryOptions = {}): AsyncGenerator<ScopeSummary> {
    let after = '0'
    for (;;) {
      const { rows } = await reader().query<SummaryRow>(
        `SELECT sc.id, sc.kind, sc.key, sc.dir, sc.last_active_at,
                COALESCE((SELECT sum(bytes) FROM ${s}.stores WHERE scope_id = sc.id), 0) AS vector_bytes,
                COALESCE((SELECT sum(size) FROM ${s}.uploads WHERE scope_id = sc.id), 0) AS upload_bytes,
                (SELECT count(*) FROM ${s}.uploads WHERE scope_id = sc.id) AS uploads,
                CASE WHEN $3 THEN (SELECT count(*) FROM ${s}.documents WHERE scope_id = sc.id AND part = 'documents') END AS documents,
                q.max_bytes, q.max_documents
         FROM ${s}.scopes sc LEFT JOIN ${s}.quotas q ON $4 AND q.kind = sc.kind AND q.dir = sc.dir
         WHERE sc.id > $1 AND ($2::text[] IS NULL OR sc.kind = ANY($2::text[])) ORDER BY sc.id LIMIT ${PAGE}`,
        [after, options.kinds ?? null, options.documents === true, options.quotas === true],
      )
      for (const row of rows) {
        const scope = scopeOfRow(row.kind, row.key)
        if (!scope || scope.dir !== row.dir) {
          options.onSkip?.({ path: `${row.kind}/${row.dir}`, reason: 'not-a-scope' })
          continue
        }
        const summary: ScopeSummary = {
          scope,
          vectorBytes: Number(row.vector_bytes),
          uploadBytes: Number(row.upload_bytes),
          files: Number(row.uploads),
          lastActiveAt: row.last_active_at,
        }
        if (row.documents !== null) summary.documents = Number(row.documents)
        if (row.max_bytes !== null || row.max_documents !== null) {
          summary.quota = { ...(row.max_bytes === null ? {} : { maxBytes: Number(row.max_bytes) }), ...(row.max_documents === null ? {} : { maxDocuments: Number(row.max_documents) }) }
        }
        yield summary
      }
      if (rows.length < PAGE) return
      after = rows[rows.length - 1]!.id
    }
  }

  const verify = async (q: Queryable, scopeId: string): Promise<string[]> => {
    const problems: string[] = []
    const stores = await q.query<{ part: string; live: number; dimension: number | null; bytes: string; chunks: string; chunk_bytes: string; other_dimension: string }>(
      `SELECT st.part, st.live, st.dimension, st.bytes,
              (SELECT count(*) FROM ${s}.chunks c WHERE c.scope_id = st.scope_id AND c.part = st.part) AS chunks,
              (SELECT COALESCE(sum(c.bytes), 0) FROM ${s}.chunks c WHERE c.scope_id = st.scope_id AND c.part = st.part) AS chunk_bytes,
              (SELECT count(*) FROM ${s}.chunks c WHERE c.scope_id = st.scope_id AND c.part = st.part
                 AND (st.dimension IS NULL OR vector_dims(c.embedding) <> st.dimension)) AS other_dimension
       FROM ${s}.stores st WHERE st.scope_id = $1 ORDER BY st.part`,
      [scopeId],
    )
    for (const row of stores.rows) {
      const chunks = Number(row.chunks)
      if (row.live !== chunks) problems.push(`${row.part}: the store counts ${row.live} live chunks but holds ${chunks}`)
      if (Number(row.bytes) !== Number(row.chunk_bytes)) problems.push(`${row.part}: the store counts ${row.bytes} bytes but its chunks hold ${row.chunk_bytes}`)
      const other = Number(row.other_dimension)
      if (other > 0) problems.push(`${row.part}: ${other} chunk vector${other === 1 ? '' : 's'} not of the store's dimension ${row.dimension ?? '(none recorded)'}`)
    }
    const orphans = await q.query<{ part: string; document_id: string; chunks: string }>(
      `SELECT c.part, c.document_id, count(*) AS chunks FROM ${s}.chunks c
       WHERE c.scope_id = $1 AND NOT EXISTS (SELECT 1 FROM ${s}.documents d WHERE d.scope_id = c.scope_id AND d.part = c.part AND d.document_id = c.document_id)
       GROUP BY c.part, c.document_id ORDER BY c.part, c.document_id LIMIT ${MAX_LISTED}`,
      [scopeId],
    )
    for (const row of orphans.rows) problems.push(`${row.part}: ${row.chunks} chunk${row.chunks === '1' ? '' : 's'} of document ${row.document_id}, which is not listed (orphan)`)
    const miscounted = await q.query<{ part: string; document_id: string; chunks: number; held: string }>(
      `SELECT d.part, d.document_id, d.chunks,
              (SELECT count(*) FROM ${s}.chunks c WHERE c.scope_id = d.scope_id AND c.part = d.part AND c.document_id = d.document_id) AS held
       FROM ${s}.documents d WHERE d.scope_id = $1
         AND d.chunks <> (SELECT count(*) FROM ${s}.chunks c WHERE c.scope_id = d.scope_id AND c.part = d.part AND c.document_id = d.document_id)
       ORDER BY d.part, d.document_id LIMIT ${MAX_LISTED}`,
      [scopeId],
    )
    for (const row of miscounted.rows) problems.push(`${row.part}: document ${row.document_id} lists ${row.chunks} chunks but ${row.held} are stored`)
    return problems
  }

  const scopeStorage = async (scope: Scope, options: { verify?: boolean } = {}): Promise<ScopeStorageReport> => {
    const q = reader()
    const scopeId = await scopeIdOf(q, s, scope)
    const where = `scope ${scope.kind}/${scope.dir}`
    const report: ScopeStorageReport = {
      locations: { vectors: `PostgreSQL schema ${schema}, tables stores and chunks, ${where}`, uploads: `PostgreSQL schema ${schema}, table uploads, ${where}` },
      stores: { documents: false, memory: false },
      uploads: { files: 0, bytes: 0, entries: [] },
      conversations: 0,
      problems: [],
    }
    if (scopeId === undefined) return report
    const parts = await q.query<{ part: 'documents' | 'memory' }>(`SELECT part FROM ${s}.stores WHERE scope_id = $1`, [scopeId])
    for (const { part } of parts.rows) report.stores[part] = true
    const uploads = await q.query<{ document_id: string; file_name: string; size: string }>(
      `SELECT document_id, file_name, size FROM ${s}.uploads WHERE scope_id = $1 ORDER BY document_id`,
      [scopeId],
    )
    const entries: StoredUploadEntry[] = uploads.rows.map((row) => ({ documentId: row.document_id, files: [row.file_name] }))
    report.uploads = { files: uploads.rows.length, bytes: uploads.rows.reduce((sum, row) => sum + Number(row.size), 0), entries }
    report.conversations = Number((await q.query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.conversations WHERE scope_id = $1`, [scopeId])).rows[0]?.n ?? 0)
    if (options.verify) report.problems.push(...(await verify(q, scopeId)))
    return report
  }

  return { scopeSummaries, scopeStorage }
}
