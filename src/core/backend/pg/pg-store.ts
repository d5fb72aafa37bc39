/**
 * The VectorStore contract on PostgreSQL + pgvector: one store is the rows of
 * `chunks` with its (scope, part), its parameters and counters in `stores`.
 *
 * Vector search is an exact scan of the store's rows (btree on scope, part;
 * pgvector's distance operators) until the store is large enough to have its own
 * HNSW index (vector-index.ts): then a walk of that index, which holds no other
 * scope's rows, so its recall does not depend on what the others hold.
 * Lexical search is BM25 over the same tokens as the fs backend (lexemes.ts).
 * Every change runs in a transaction under the scope's advisory lock (the one
 * the calling `withStore` holds, or its own) and bumps the store's revision.
 */
import { EmbedderMismatchError, InvalidInputError, RefusedError, TooLargeError } from '../../errors.js'
import type { Scope } from '../../keys.js'
import { analyzerKey, defaultAnalyzer, TOKENIZER_ID, type Analyzer } from '../../lexical/index.js'
import { normalizeLikeHnswlib } from '../../store/cosine.js'
import { assertChunks, assertSearchInput } from '../../store/validate.js'
import type { AddOptions, ChunkInput, DocumentSummary, ExportedChunk, LexicalSearchHit, LogStats, ReindexStoreOptions, SearchHit, Space, StoreStats, StoredChunk, VectorStore } from '../../store/types.js'
import type { StorePart } from '../types.js'
import { anyTermQuery, BM25_SQL, passageLexemes, queryTerms } from './lexemes.js'
import { rebuildLexemes } from './rebuild-lexemes.js'
import { loadDocuments, loadStoreRow, refreshDocuments, type PgStoreState, type Queryable } from './store-state.js'
import { distanceOperator, indexedRankingSql, indexedSearchSettings, searchesVectorIndex, vectorIndexCandidates } from './vector-index.js'

const INSERT_BATCH = 500
const MAX_LABEL = Number.MAX_SAFE_INTEGER

/** What a store is (to be) built with: the configured embedder, or an imported store's own. */
export interface StoreIdentity {
  embedderId: string
  dimension: number
  /** For a new store. Default cosine. */
  space?: Space
}

export interface PgStoreContext extends StoreIdentity {
  /** The quoted schema. */
  s: string
  scope: Scope
  part: StorePart
  /** Queries of reads: the pool, or the transaction the calling `withStore` runs in. */
  read: Queryable
  /** Runs reads in a transaction (the calling write's when there is one), so `SET LOCAL` lasts for them only. */
  readTransaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T>
  /** Runs a change in a transaction holding the scope's lock (the calling one when there is one). */
  write<T>(fn: (q: Queryable) => Promise<T>): Promise<T>
  /** The scope's row id, created when absent (inside `write`). */
  ensureScope(q: Queryable): Promise<string>
  /** Stores above this many chunks are scanned exactly even when they have an index (vector-index.ts). */
  vectorIndexMaxChunks?: number
}

interface ChunkRow {
  label: string
  document_id: string
  title: string
  text: string
  chunk_index: number
  metadata: Record<string, unknown>
}

const chunkOf = (row: ChunkRow): StoredChunk => ({
  label: Number(row.label), documentId: row.document_id, title: row.title, text: row.text, chunkIndex: row.chunk_index, metadata: row.metadata,
})

const vectorLiteral = (vector: ArrayLike<number>): string => `[${Array.prototype.join.call(vector, ',')}]`

const CHUNK_COLUMNS = 'label, document_id, title, text, chunk_index, metadata'

export class PgVectorStore implements VectorStore {
  readonly dir: string
  private closed = false

  constructor(private readonly ctx: PgStoreContext, private state: PgStoreState) {
    this.dir = `postgres:${ctx.scope.kind}/${ctx.scope.dir}/${ctx.part}`
  }

  /** What this object knows now (the backend caches it after a commit). */
  snapshot(): PgStoreState {
    return this.state
  }

  footprint(): number {
    return 1024 + this.state.documents.length * 256
  }

  stats(): StoreStats {
    this.assertOpen()
    const row = this.state.row
    const live = row?.live ?? 0
    return {
      live, deleted: 0, capacity: live, dimension: row?.dimension, space: row?.space ?? 'cosine', embedderId: row?.embedderId,
      efSearch: 0, revision: row?.revision ?? 0, lexical: true,
    }
  }

  listDocuments(): DocumentSummary[] {
    this.assertOpen()
    return this.state.documents.map((document) => ({ ...document }))
  }

  async add(chunks: ChunkInput[], options: AddOptions = {}): Promise<void> {
    this.assertOpen()
    this.assertCompatible()
    const dimension = assertChunks(chunks, this.state.row?.dimension ?? this.ctx.dimension)
    const replacing = [...new Set(options.replacing ?? [])]
    if (chunks.length === 0 && replacing.length === 0) return
    // Tokenized before the transaction and the scope's lock, as fs ingest counts terms; again inside only if the store's analyzer turns out another.
    const expected = this.state.row?.analyzer ?? defaultAnalyzer()
    const early = chunks.map((chunk) => passageLexemes(chunk.text, expected))
    await this.change(async (q, scopeId) => {
      const row = await this.ensureStore(q, scopeId, dimension)
      const analyzer = row.analyzer
      const lexemesOf = analyzerKey(analyzer) === analyzerKey(expected) ? early : chunks.map((chunk) => passageLexemes(chunk.text, analyzer))
      let live = row.live
      let tokenTotal = row.tokenTotal
      let bytes = row.bytes
      if (replacing.length > 0) {
        const removed = await this.removeDocuments(q, scopeId, replacing)
        live -= removed.count
        tokenTotal -= removed.tokens
        bytes -= removed.bytes
      }
      if (row.nextLabel + chunks.length > MAX_LABEL) throw new TooLargeError(`The store cannot hold ${chunks.length} more chunks.`)
      const space = row.space
      for (let start = 0; start < chunks.length; start += INSERT_BATCH) {
        const batch = chunks.slice(start, start + INSERT_BATCH)
        const columns = { labels: [] as number[], ids: [] as string[], titles: [] as string[], texts: [] as string[], indexes: [] as number[], metadata: [] as string[], vectors: [] as string[], lexemes: [] as string[], tokens: [] as number[], sizes: [] as number[] }
        batch.forEach((chunk, i) => {
          const lexemes = lexemesOf[start + i]!
          const metadata = JSON.stringify(chunk.metadata ?? {})
          const point = space === 'cosine' && chunk.stored !== true ? normalizeLikeHnswlib(chunk.vector) : Array.from(chunk.vector, Math.fround)
          const size = Buffer.byteLength(chunk.text) + Buffer.byteLength(chunk.title) + Buffer.byteLength(metadata) + 4 * point.length
          columns.labels.push(row.nextLabel + start + i)
          columns.ids.push(chunk.documentId)
          columns.titles.push(chunk.title)
          columns.texts.push(chunk.text)
          columns.indexes.push(chunk.chunkIndex)
          columns.metadata.push(metadata)
          columns.vectors.push(vectorLiteral(point))
          columns.lexemes.push(lexemes.tsvector)
          columns.tokens.push(lexemes.tokens)
          columns.sizes.push(size)
          tokenTotal += lexemes.tokens
          bytes += size
        })
        await q.query(
          `INSERT INTO ${this.ctx.s}.chunks (scope_id, part, label, document_id, title, text, chunk_index, metadata, embedding, lexemes, token_count, bytes)
           SELECT $1, $2, * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::jsonb[], $9::vector[], $10::tsvector[], $11::int[], $12::int[])`,
          [scopeId, this.ctx.part, columns.labels, columns.ids, columns.titles, columns.texts, columns.indexes, columns.metadata, columns.vectors, columns.lexemes, columns.tokens, columns.sizes],
        )
      }
      live += chunks.length
      await this.saveCounters(q, scopeId, { live, tokenTotal, bytes, nextLabel: row.nextLabel + chunks.length })
      await refreshDocuments(q, this.ctx.s, scopeId, this.ctx.part, [...new Set([...replacing, ...chunks.map((chunk) => chunk.documentId)])])
    })
  }

  async search(vector: ArrayLike<number>, k: number, filter?: (chunk: StoredChunk) => boolean): Promise<SearchHit[]> {
    this.assertOpen()
    this.assertCompatible()
    const row = this.state.row
    const wanted = assertSearchInput(vector, k, row?.dimension ?? this.ctx.dimension)
    if (!row || !this.state.scopeId || row.live === 0 || wanted === 0) return []
    const space = row.space
    const query = vectorLiteral(space === 'cosine' ? normalizeLikeHnswlib(vector) : Array.from(vector, Math.fround))
    const operator = distanceOperator(space)
    const toDistance = (raw: number) => (space === 'l2' ? raw * raw : 1 + raw)
    const scoreOf = (distance: number) => (space === 'l2' ? 1 / (1 + distance) : 1 - distance)
    // A filter is a JS predicate: read the ranking in growing windows until k pass it or the store is exhausted.
    let window = filter ? Math.max(4 * wanted, 64) : Math.min(wanted, row.live)
    for (;;) {
      const rows = row.vectorIndex && row.dimension !== undefined && searchesVectorIndex(row.live, window, this.ctx.vectorIndexMaxChunks)
        ? await this.indexedRanking(row.dimension, operator, query, window)
        : await this.exactRanking(operator, query, window)
      const hits: SearchHit[] = []
      for (const found of rows) {
        const chunk = chunkOf(found)
        if (filter && filter(chunk) !== true) continue
        const distance = toDistance(found.raw)
        hits.push({ ...chunk, distance, score: scoreOf(distance) })
        if (hits.length === wanted) break
      }
      if (!filter || hits.length >= wanted || rows.length < window) return hits
      window *= 4
    }
  }

  private async exactRanking(operator: '<->' | '<#>', query: string, window: number): Promise<(ChunkRow & { raw: number })[]> {
    const { rows } = await this.ctx.read.query<ChunkRow & { raw: number }>(
      `SELECT ${CHUNK_COLUMNS}, (embedding ${operator} $3::vector)::float8 AS raw FROM ${this.ctx.s}.chunks
       WHERE scope_id = $1 AND part = $2 ORDER BY embedding ${operator} $3::vector, label LIMIT $4`,
      [this.state.scopeId, this.ctx.part, query, window],
    )
    return rows
  }

  /**
   * The walk of the store's own HNSW index (the SQL matches the partial index's expression
   * and predicate, so the planner takes it): a list as long as the store's size calls for
   * (vector-index.ts), ranked exactly. The strict-order iterative scan keeps a walk that finds
   * fewer rows than the window going, in distance order.
   */
  private async indexedRanking(dimension: number, operator: '<->' | '<#>', query: string, window: number): Promise<(ChunkRow & { raw: number })[]> {
    const candidates = vectorIndexCandidates(this.state.row?.live ?? 0, window)
    return this.ctx.readTransaction(async (q) => {
      await q.query(indexedSearchSettings(candidates))
      return (await q.query<ChunkRow & { raw: number }>(indexedRankingSql(this.ctx.s, CHUNK_COLUMNS, dimension, operator), [this.state.scopeId, this.ctx.part, query, candidates, window])).rows
    })
  }

  async searchLexical(query: string, k: number, filter?: (chunk: StoredChunk) => boolean): Promise<LexicalSearchHit[] | undefined> {
    this.assertOpen()
    if (typeof query !== 'string') throw new InvalidInputError('searchLexical: the query must be a string.')
    if (typeof k !== 'number' || Number.isNaN(k) || k < 0) throw new InvalidInputError(`searchLexical: k must be a non-negative number, got ${String(k)}.`)
    const row = this.state.row
    const limit = Math.floor(Math.min(k, Number.MAX_SAFE_INTEGER))
    if (!row || !this.state.scopeId || row.live === 0 || limit < 1) return []
    const terms = queryTerms(query, row.analyzer ?? defaultAnalyzer())
    if (terms.length === 0) return []
    const average = row.tokenTotal / row.live || 1
    const { rows } = await this.ctx.read.query<ChunkRow & { bm25: number; matched: number; best: number }>(BM25_SQL(this.ctx.s), [
      this.state.scopeId, this.ctx.part, terms, anyTermQuery(terms), row.live, average, filter ? null : limit,
    ])
    const hits: LexicalSearchHit[] = []
    for (const found of rows) {
      const chunk = chunkOf(found)
      if (filter && filter(chunk) !== true) continue
      const best = Number(found.best)
      hits.push({ ...chunk, bm25: found.bm25, score: best > 0 ? Math.min(1, found.bm25 / best) : 0, matched: found.matched })
      if (hits.length === limit) break
    }
    return hits
  }

  /**
   * Every PostgreSQL store has its lexical index (the lexemes column, written with each
   * row): rebuilt from the stored texts with `force`, or when it was tokenized by another
   * tokenizer than this Bento's (rebuild-lexemes.ts).
   */
  async reindex(options: ReindexStoreOptions = {}): Promise<boolean> {
    this.assertOpen()
    let rebuilt = false
    await this.change(async (q, scopeId) => {
      const row = this.state.row
      if (!row || (options.force !== true && row.analyzer?.tokenizer === TOKENIZER_ID)) return false
      const analyzer: Analyzer = { ...(row.analyzer ?? defaultAnalyzer()), tokenizer: TOKENIZER_ID }
      const { tokens } = await rebuildLexemes(q, this.ctx.s, scopeId, this.ctx.part, analyzer)
      await q.query(`UPDATE ${this.ctx.s}.stores SET analyzer = $3 WHERE scope_id = $1 AND part = $2`, [scopeId, this.ctx.part, JSON.stringify(analyzer)])
      await this.saveCounters(q, scopeId, { live: row.live, tokenTotal: tokens, bytes: row.bytes, nextLabel: row.nextLabel })
      rebuilt = true
    })
    return rebuilt
  }

  deleteDocument(documentId: string): Promise<number> {
    return this.deleteDocuments([documentId])
  }

  async deleteDocuments(documentIds: readonly string[]): Promise<number> {
    this.assertOpen()
    const ids = [...new Set(documentIds)]
    if (ids.length === 0 || !this.state.row || !this.state.documents.some((document) => ids.includes(document.id))) return 0
    let count = 0
    await this.change(async (q, scopeId) => {
      const row = this.state.row!
      const removed = await this.removeDocuments(q, scopeId, ids)
      count = removed.count
      if (count === 0) return false
      await this.saveCounters(q, scopeId, { live: row.live - removed.count, tokenTotal: row.tokenTotal - removed.tokens, bytes: row.bytes - removed.bytes, nextLabel: row.nextLabel })
      await refreshDocuments(q, this.ctx.s, scopeId, this.ctx.part, ids)
      return true
    })
    return count
  }

  async deleteAll(): Promise<void> {
    this.assertOpen()
    if (!this.state.row || this.state.row.live === 0) return
    await this.change(async (q, scopeId) => {
      await q.query(`DELETE FROM ${this.ctx.s}.chunks WHERE scope_id = $1 AND part = $2`, [scopeId, this.ctx.part])
      await q.query(`DELETE FROM ${this.ctx.s}.documents WHERE scope_id = $1 AND part = $2`, [scopeId, this.ctx.part])
      await this.saveCounters(q, scopeId, { live: 0, tokenTotal: 0, bytes: 0, nextLabel: 0 })
    })
  }

  /** PostgreSQL reclaims deleted rows itself (VACUUM): nothing to rebuild. */
  async compact(): Promise<void> {
    this.assertOpen()
  }

  /** Each write is one transaction on the tables themselves: there is no commit log to fold. */
  logStats(): LogStats {
    return { records: 0, added: 0, deleted: 0, bytes: 0, due: false }
  }

  async compactLog(): Promise<boolean> {
    this.assertOpen()
    return false
  }

  async exportChunks(): Promise<ExportedChunk[]> {
    this.assertOpen()
    if (!this.state.scopeId || !this.state.row) return []
    const { rows } = await this.ctx.read.query<ChunkRow & { embedding: string }>(
      `SELECT ${CHUNK_COLUMNS}, embedding::text AS embedding FROM ${this.ctx.s}.chunks WHERE scope_id = $1 AND part = $2 ORDER BY label`,
      [this.state.scopeId, this.ctx.part],
    )
    return rows.map((found) => {
      const { label: _, ...chunk } = chunkOf(found)
      return { ...chunk, vector: Float32Array.from(JSON.parse(found.embedding) as number[]) }
    })
  }

  async isStale(): Promise<boolean> {
    this.assertOpen()
    const now = await loadStoreRow(this.ctx.read, this.ctx.s, this.ctx.scope, this.ctx.part)
    return now.scopeId !== this.state.scopeId || now.row?.revision !== this.state.row?.revision
  }

  async refresh(): Promise<void> {
    this.assertOpen()
    if (await this.isStale()) this.state = await this.reload(this.ctx.read)
  }

  async close(): Promise<void> {
    this.closed = true
  }

  /** Runs a change under the scope's lock on the latest committed rows, then reads the new state back. */
  private async change(task: (q: Queryable, scopeId: string) => Promise<boolean | void>): Promise<void> {
    await this.ctx.write(async (q) => {
      this.state = await this.reload(q)
      this.assertCompatible()
      const scopeId = this.state.scopeId ?? (await this.ctx.ensureScope(q))
      const changed = await task(q, scopeId)
      if (changed !== false) this.state = await this.reload(q)
    })
  }

  private async reload(q: Queryable): Promise<PgStoreState> {
    const found = await loadStoreRow(q, this.ctx.s, this.ctx.scope, this.ctx.part)
    const documents = found.scopeId && found.row ? await loadDocuments(q, this.ctx.s, found.scopeId, this.ctx.part) : []
    return { ...found, documents }
  }

  private async ensureStore(q: Queryable, scopeId: string, dimension: number | undefined) {
    const analyzer: Analyzer = defaultAnalyzer()
    await q.query(
      `INSERT INTO ${this.ctx.s}.stores (scope_id, part, embedder_id, dimension, space, analyzer, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now(), now()) ON CONFLICT (scope_id, part) DO NOTHING`,
      [scopeId, this.ctx.part, this.ctx.embedderId, dimension ?? null, this.ctx.space ?? 'cosine', JSON.stringify(analyzer)],
    )
    // A store emptied and created again keeps its row: record what it is built with now.
    await q.query(
      `UPDATE ${this.ctx.s}.stores SET dimension = COALESCE(dimension, $3), embedder_id = COALESCE(embedder_id, $4) WHERE scope_id = $1 AND part = $2`,
      [scopeId, this.ctx.part, dimension ?? null, this.ctx.embedderId],
    )
    const { row } = await loadStoreRow(q, this.ctx.s, this.ctx.scope, this.ctx.part)
    return { ...row!, analyzer: row!.analyzer ?? analyzer }
  }

  private async removeDocuments(q: Queryable, scopeId: string, ids: readonly string[]) {
    const { rows } = await q.query<{ count: string; tokens: string | null; bytes: string | null }>(
      `WITH gone AS (DELETE FROM ${this.ctx.s}.chunks WHERE scope_id = $1 AND part = $2 AND document_id = ANY($3::text[]) RETURNING token_count, bytes)
       SELECT count(*) AS count, sum(token_count) AS tokens, sum(bytes) AS bytes FROM gone`,
      [scopeId, this.ctx.part, ids],
    )
    return { count: Number(rows[0]?.count ?? 0), tokens: Number(rows[0]?.tokens ?? 0), bytes: Number(rows[0]?.bytes ?? 0) }
  }

  private async saveCounters(q: Queryable, scopeId: string, counters: { live: number; tokenTotal: number; bytes: number; nextLabel: number }): Promise<void> {
    await q.query(
      `UPDATE ${this.ctx.s}.stores SET live = $3, token_total = $4, bytes = $5, next_label = $6, revision = revision + 1, updated_at = now()
       WHERE scope_id = $1 AND part = $2`,
      [scopeId, this.ctx.part, counters.live, counters.tokenTotal, counters.bytes, counters.nextLabel],
    )
  }

  private assertOpen(): void {
    if (this.closed) throw new RefusedError(`The store ${this.dir} is closed.`)
  }

  private assertCompatible(): void {
    const row = this.state.row
    if (!row) return
    const otherEmbedder = row.embedderId !== undefined && row.embedderId !== this.ctx.embedderId
    const otherDimension = row.dimension !== undefined && row.dimension !== this.ctx.dimension
    if (!otherEmbedder && !otherDimension) return
    throw new EmbedderMismatchError(
      `This store was built with embedder "${row.embedderId ?? 'unknown'}" (dimension ${row.dimension}), but the configured embedder is ` +
        `"${this.ctx.embedderId}" (dimension ${this.ctx.dimension}). Configure embedder "${row.embedderId ?? `with dimension ${row.dimension}`}" to use it, or re-ingest the documents into a new scope.`,
    )
  }
}
