/**
 * The PostgreSQL storage backend (`--backend postgres://…`, and `pglite:<dir>` on
 * the same code): every scope is rows in one schema (docs/STORE-FORMAT.md), so
 * any number of processes and replicas share it with no shared disk.
 *
 * Writes (`withStore({ write: true })`, imports, exports) run in one transaction
 * holding the scope's advisory lock; everything the call does inside, nested
 * `withStore` calls included, runs on that transaction's connection
 * (AsyncLocalStorage), and is published at once when the call resolves, or not at
 * all when it throws. Reads use the pool and are never blocked by a writer on
 * PostgreSQL (MVCC); on PGlite, one engine, a read waits for a running write.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'
import { ACTIVITY_COALESCE_MS, DEFAULT_LOCK_WAIT_MS, DEFAULT_MAX_STORE_MEMORY } from '../../defaults.js'
import { createLocalEmbedder } from '../../embeddings/local.js'
import type { Embedder } from '../../embeddings/types.js'
import { RefusedError } from '../../errors.js'
import { assertDocumentId } from '../../ingest/document-id.js'
import type { UploadFiles } from '../../ingest/upload-files.js'
import type { Scope } from '../../keys.js'
import type { Layout } from '../../layout.js'
import type { StorageBackend, StorePart, StoredUpload, WithStoreOptions, ListScopesOptions, ScopeUsage, ScopeHoldings, StoreCompaction } from '../types.js'
import { openDatabase, type Database, type OpenDatabaseOptions } from './database.js'
import { PgVectorStore, type StoreIdentity } from './pg-store.js'
import { exportPgScope, importPgScope } from './scope-io.js'
import { pgConversations } from './conversations.js'
import { ensureScopeRow, isScopeLocked, lockScope, scopeIdOf, scopeLockKey, scopeLockedError, scopeOfRow } from './scope-rows.js'
import { scopeHoldsOf } from './scope-holds.js'
import { describeSpec, type DatabaseSpec } from './spec.js'
import { loadDocuments, loadStoreRow, type PgStoreState, type Queryable } from './store-state.js'
import { createInUseCounter } from '../in-use.js'
import { createPgScopeReports } from './scope-reports.js'
import { createPgScopeMoves } from './scope-moves.js'
import { buildVectorIndex, defaultVectorIndexMinChunks, dropOrphanVectorIndexes, dropVectorIndex, VECTOR_INDEX_MAX_CHUNKS, vectorIndexAction } from './vector-index.js'

export interface PgBackendOptions extends OpenDatabaseOptions {
  spec: DatabaseSpec
  embedder?: Embedder
  /** Activity writes are coalesced to at most one per scope per this window. Default 60 s. */
  activityCoalesceMs?: number
  /** The clock activity is recorded with. Default `Date.now`. */
  now?: () => number
  /** A store gets its own HNSW index from this many chunks up to 25,000 (vector-index.ts). Default 10,000; on PGlite, never. */
  vectorIndexMinChunks?: number
}

export interface PgBackend extends StorageBackend {
  readonly database: Database
}

interface Transaction {
  client: pg.PoolClient
  /** The scope lock keys this transaction holds (scope-holds.ts). */
  holds: Set<string>
}

const LIST_PAGE = 1000

export const createPgBackend = async (options: PgBackendOptions): Promise<PgBackend> => {
  const database = await openDatabase(options.spec, options)
  const { s, schema, pool } = database
  const embedder = options.embedder ?? createLocalEmbedder()
  const now = options.now ?? Date.now
  const coalesceMs = Math.max(0, options.activityCoalesceMs ?? ACTIVITY_COALESCE_MS)
  const current = new AsyncLocalStorage<Transaction>()
  const states = new Map<string, PgStoreState>()
  const running = createInUseCounter()
  const touched = new Map<string, number>()
  const pendingTouches = new Set<Promise<unknown>>()
  const idOf = (scope: Scope) => `${scope.kind}/${scope.dir}`

  /** The open transaction's connection inside a write, else the pool. */
  const reader = (): Queryable => current.getStore()?.client ?? pool

  const holds = scopeHoldsOf(describeSpec(options.spec))
  const holdKey = (scope: Scope) => scopeLockKey(schema, scope)

  /** Takes the scope's lock in the transaction and records it in this process's registry until the transaction ends. */
  const lockIn = async (open: Transaction, scope: Scope, waitMs: number): Promise<void> => {
    await lockScope(open.client, schema, scope, waitMs)
    const key = holdKey(scope)
    if (open.holds.has(key)) return
    open.holds.add(key)
    holds.hold(key)
  }

  /**
   * A transaction that will lock `scopes`: on PGlite its BEGIN waits for the session,
   * so it gives up (locked) once it has waited `waitMs` while one of them is held here.
   */
  const lockingTransaction = async <T>(scopes: readonly Scope[], waitMs: number, fn: (open: Transaction) => Promise<T>): Promise<T> => {
    const watch = holds.giveUpAfter(scopes.map(holdKey), waitMs, () => scopeLockedError(scopes[0]!))
    const open: Transaction = { client: undefined as unknown as pg.PoolClient, holds: new Set() }
    try {
      return await database.transaction((client) => {
        watch.stop()
        open.client = client
        return current.run(open, () => fn(open))
      }, scopes.length > 0 ? { giveUp: watch.signal } : {})
    } finally {
      watch.stop()
      for (const key of open.holds) holds.release(key)
    }
  }

  /** Runs `fn` in a transaction holding the scope's lock, or inside the one already running. */
  const inScopeTransaction = async <T>(scope: Scope, fn: (q: Queryable) => Promise<T>, waitMs = DEFAULT_LOCK_WAIT_MS): Promise<T> => {
    const open = current.getStore()
    if (open) {
      await lockIn(open, scope, waitMs)
      return fn(open.client)
    }
    return lockingTransaction([scope], waitMs, async (tx) => {
      await lockIn(tx, scope, waitMs)
      return fn(tx.client)
    })
  }

  const stateOf = async (q: Queryable, scope: Scope, part: StorePart): Promise<PgStoreState> => {
    const found = await loadStoreRow(q, s, scope, part)
    const cached = states.get(`${idOf(scope)}/${part}`)
    if (cached && found.row && cached.scopeId === found.scopeId && cached.row?.revision === found.row.revision) return { ...found, documents: cached.documents }
    const documents = found.scopeId && found.row ? await loadDocuments(q, s, found.scopeId, part) : []
    return { ...found, documents }
  }

  const vectorIndexPolicy = {
    minChunks: Math.max(1, options.vectorIndexMinChunks ?? defaultVectorIndexMinChunks(options.spec.kind)),
    maxChunks: options.spec.exactScanAbove ?? VECTOR_INDEX_MAX_CHUNKS,
  }
  const indexing = new Map<string, Promise<void>>()

  /**
   * After a committed write: builds the store's HNSW index once it is large enough, or
   * drops it once it is small again, on a connection outside any transaction. A failed
   * build leaves the store on the exact scan (still right) and is tried again at its next write.
   */
  const maintainVectorIndex = async (scope: Scope, part: StorePart): Promise<void> => {
    const key = `${idOf(scope)}/${part}`
    const building = indexing.get(key)
    if (building) return building
    const task = (async () => {
      const { scopeId, row } = await loadStoreRow(pool, s, scope, part)
      if (!scopeId || !row) return
      const target = { scopeId, part, dimension: row.dimension, space: row.space, live: row.live, vectorIndex: row.vectorIndex }
      const action = vectorIndexAction(target, vectorIndexPolicy)
      if (action === 'none') return
      const client = await pool.connect()
      try {
        if (action === 'build') await buildVectorIndex(client, schema, s, target)
        else await dropVectorIndex(client, s, target)
      } finally {
        client.release()
      }
    })()
      .catch(() => undefined)
      .finally(() => indexing.delete(key))
    indexing.set(key, task)
    return task
  }

  /** Outside any transaction (DROP INDEX CONCURRENTLY); a failure leaves the orphans to the next sweep. */
  const sweepVectorIndexes = async (): Promise<void> => {
    if (current.getStore()) return
    const client = await pool.connect().catch(() => undefined)
    if (!client) return
    try {
      await dropOrphanVectorIndexes(client, schema, s)
    } catch {
      // Search never depends on an index: an orphan only costs its catalog entry until the next sweep.
    } finally {
      client.release()
    }
  }

  const storeFor = (scope: Scope, part: StorePart, state: PgStoreState, ids: StoreIdentity = { embedderId: embedder.id, dimension: embedder.dimension }) =>
    new PgVectorStore({
      s, scope, part, ...ids,
      read: reader(),
      readTransaction: (fn) => {
        const open = current.getStore()
        return open ? fn(open.client) : database.transaction(fn)
      },
      write: (fn) => inScopeTransaction(scope, fn),
      ensureScope: (q) => ensureScopeRow(q, s, scope, new Date(now())),
      vectorIndexMaxChunks: vectorIndexPolicy.maxChunks,
    }, state)

  const targetOf = (state: PgStoreState, part: StorePart) => ({
    scopeId: state.scopeId ?? '', part, dimension: state.row?.dimension, space: state.row?.space ?? 'cosine', live: state.row?.live ?? 0, vectorIndex: state.row?.vectorIndex,
  })

  const counted = <T>(scope: Scope, call: () => Promise<T>): Promise<T> => running.around(idOf(scope), call)

  const withStore = <T>(scope: Scope, fn: (store: import('../../store/types.js').VectorStore) => Promise<T>, opts: WithStoreOptions = {}): Promise<T> =>
    counted(scope, async () => {
      const part = opts.part ?? 'documents'
      const key = `${idOf(scope)}/${part}`
      if (!opts.write) {
        const store = storeFor(scope, part, await stateOf(reader(), scope, part))
        try {
          return await fn(store)
        } finally {
          await store.close()
        }
      }
      let store: PgVectorStore | undefined
      const result = await inScopeTransaction(scope, async (q) => {
        store = storeFor(scope, part, await stateOf(q, scope, part))
        const value = await fn(store)
        // A write is activity, recorded under the lock like the fs backend's.
        await q.query(`UPDATE ${s}.scopes SET last_active_at = GREATEST(last_active_at, $3) WHERE kind = $1 AND dir = $2`, [scope.kind, scope.dir, new Date(now())])
        return value
      }, opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS)
      // Committed: what the store read last is the database's state now.
      if (!current.getStore() && store) {
        states.set(key, store.snapshot())
        if (vectorIndexAction(targetOf(store.snapshot(), part), vectorIndexPolicy) !== 'none') await maintainVectorIndex(scope, part)
      }
      return result
    })

  async function* listScopes(listOptions: ListScopesOptions = {}): AsyncIterable<Scope> {
    let after = '0'
    for (;;) {
      const { rows } = await pool.query<{ id: string; kind: Scope['kind']; key: string; dir: string }>(
        `SELECT id, kind, key, dir FROM ${s}.scopes WHERE id > $1 AND ($2::text[] IS NULL OR kind = ANY($2::text[])) ORDER BY id LIMIT ${LIST_PAGE}`,
        [after, listOptions.kinds ?? null],
      )
      for (const row of rows) {
        const scope = scopeOfRow(row.kind, row.key)
        if (scope && scope.dir === row.dir) yield scope
        else listOptions.onSkip?.({ path: `${row.kind}/${row.dir}`, reason: 'not-a-scope' })
      }
      if (rows.length < LIST_PAGE) return
      after = rows[rows.length - 1]!.id
    }
  }

  const scopeExists = async (scope: Scope) => (await scopeIdOf(reader(), s, scope)) !== undefined

  const readUpload = async (scope: Scope, documentId: string, readOptions: { content?: boolean } = {}): Promise<StoredUpload | undefined> => {
    const id = assertDocumentId(documentId)
    const withContent = readOptions.content !== false
    const { rows } = await reader().query<{ file_name: string; size: string; content: Buffer | null }>(
      `SELECT u.file_name, u.size, ${withContent ? 'u.content' : 'NULL AS content'} FROM ${s}.uploads u JOIN ${s}.scopes sc ON sc.id = u.scope_id
       WHERE sc.kind = $1 AND sc.dir = $2 AND u.document_id = $3`,
      [scope.kind, scope.dir, id],
    )
    const row = rows[0]
    if (!row) return undefined
    return { fileName: row.file_name, size: Number(row.size), bytes: row.content ?? undefined }
  }

  /** Originals in the `uploads` table, changed in the scope's transaction (the calling write's, or their own). */
  const uploadFiles = (scope: Scope): UploadFiles => ({
    write: (files) =>
      inScopeTransaction(scope, async (q) => {
        if (files.length === 0) return
        const scopeId = await ensureScopeRow(q, s, scope, new Date(now()))
        for (const file of files) {
          await q.query(
            `INSERT INTO ${s}.uploads (scope_id, document_id, file_name, size, content, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (scope_id, document_id) DO UPDATE SET file_name = EXCLUDED.file_name, size = EXCLUDED.size, content = EXCLUDED.content, created_at = EXCLUDED.created_at`,
            [scopeId, assertDocumentId(file.documentId), file.fileName, file.bytes.length, Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength), new Date(now())],
          )
        }
      }),
    removeUnfinished: (keep) =>
      inScopeTransaction(scope, async (q) => {
        await q.query(
          `DELETE FROM ${s}.uploads u USING ${s}.scopes sc WHERE sc.id = u.scope_id AND sc.kind = $1 AND sc.dir = $2 AND NOT (u.document_id = ANY($3::text[]))`,
          [scope.kind, scope.dir, [...keep]],
        )
      }),
    remove: (documentId) =>
      inScopeTransaction(scope, async (q) => {
        const { rowCount } = await q.query(
          `DELETE FROM ${s}.uploads u USING ${s}.scopes sc WHERE sc.id = u.scope_id AND sc.kind = $1 AND sc.dir = $2 AND u.document_id = $3`,
          [scope.kind, scope.dir, assertDocumentId(documentId)],
        )
        return (rowCount ?? 0) > 0
      }),
    removeAll: () =>
      inScopeTransaction(scope, async (q) => {
        await q.query(`DELETE FROM ${s}.uploads u USING ${s}.scopes sc WHERE sc.id = u.scope_id AND sc.kind = $1 AND sc.dir = $2`, [scope.kind, scope.dir])
      }),
  })

  const usage = async (scope: Scope): Promise<ScopeUsage> => {
    const { rows } = await reader().query<{ vector_bytes: string; upload_bytes: string; uploads: string; last_active_at: Date }>(
      `SELECT COALESCE((SELECT sum(bytes) FROM ${s}.stores WHERE scope_id = sc.id), 0) AS vector_bytes,
              COALESCE((SELECT sum(size) FROM ${s}.uploads WHERE scope_id = sc.id), 0) AS upload_bytes,
              (SELECT count(*) FROM ${s}.uploads WHERE scope_id = sc.id) AS uploads, sc.last_active_at
       FROM ${s}.scopes sc WHERE sc.kind = $1 AND sc.dir = $2`,
      [scope.kind, scope.dir],
    )
    const row = rows[0]
    const vectorBytes = Number(row?.vector_bytes ?? 0)
    const uploadBytes = Number(row?.upload_bytes ?? 0)
    return { scope, vectorBytes, uploadBytes, totalBytes: vectorBytes + uploadBytes, files: Number(row?.uploads ?? 0), lastActiveAt: row?.last_active_at }
  }

  const timeOf = (column: 'created_at' | 'last_active_at') => async (scope: Scope): Promise<Date | undefined> =>
    (await reader().query<{ at: Date }>(`SELECT ${column} AS at FROM ${s}.scopes WHERE kind = $1 AND dir = $2`, [scope.kind, scope.dir])).rows[0]?.at

  const touch = (scope: Scope): void => {
    const at = now()
    const id = idOf(scope)
    if (at - (touched.get(id) ?? -Infinity) < coalesceMs) return
    touched.set(id, at)
    if (touched.size > 100_000) touched.clear()
    const write = pool
      .query(`UPDATE ${s}.scopes SET last_active_at = GREATEST(last_active_at, $3) WHERE kind = $1 AND dir = $2`, [scope.kind, scope.dir, new Date(at)])
      .catch(() => touched.delete(id))
      .finally(() => pendingTouches.delete(write))
    pendingTouches.add(write)
  }

  const holdings = async (scope: Scope): Promise<ScopeHoldings> => {
    const { rows } = await reader().query<{ documents: string; memories: string; uploads: string; conversations: string }>(
      `SELECT (SELECT count(*) FROM ${s}.documents WHERE scope_id = sc.id AND part = 'documents') AS documents,
              COALESCE((SELECT live FROM ${s}.stores WHERE scope_id = sc.id AND part = 'memory'), 0) AS memories,
              (SELECT count(*) FROM ${s}.uploads WHERE scope_id = sc.id) AS uploads,
              (SELECT count(*) FROM ${s}.conversations WHERE scope_id = sc.id) AS conversations
       FROM ${s}.scopes sc WHERE sc.kind = $1 AND sc.dir = $2`,
      [scope.kind, scope.dir],
    )
    const row = rows[0]
    return { documents: Number(row?.documents ?? 0), memories: Number(row?.memories ?? 0), uploads: Number(row?.uploads ?? 0), conversations: Number(row?.conversations ?? 0) }
  }

  const evict = async (scope: Scope) => {
    for (const part of ['documents', 'memory'] as const) states.delete(`${idOf(scope)}/${part}`)
  }

  const ioDeps = {
    s, embedder, withStore, holdings, evict, reader,
    transaction: <T>(scope: Scope, fn: (q: Queryable) => Promise<T>, waitMs?: number) => inScopeTransaction(scope, fn, waitMs),
    storeFor: (scope: Scope, part: StorePart, state: PgStoreState, ids: StoreIdentity) => storeFor(scope, part, state, ids),
    stateOf: (q: Queryable, scope: Scope, part: StorePart) => stateOf(q, scope, part),
    now: () => new Date(now()),
  }

  const moves = createPgScopeMoves({
    s, schema, withStore, usage, evict, reader, now: () => new Date(now()),
    isInUse: (scope) => running.has(idOf(scope)),
    open: () => current.getStore()?.client,
    transaction: (fn, locking) => lockingTransaction(locking?.scopes ?? [], locking?.waitMs ?? DEFAULT_LOCK_WAIT_MS, (open) => fn(open.client)),
    lockScope: (scope, waitMs) => lockIn(current.getStore()!, scope, waitMs),
  })

  return {
    database,
    get layout(): Layout {
      throw new RefusedError('This operation still works on data-dir paths and is not available on the PostgreSQL backend yet.')
    },
    embedder,
    activityWindowMs: coalesceMs,
    withStore,
    listScopes,
    scopeExists,
    // Rows cannot be links to elsewhere: nothing of a scope can reach outside the database.
    assertScopeSafe: async () => undefined,
    readUpload,
    uploadFiles,
    usage,
    touch,
    lastActiveAt: timeOf('last_active_at'),
    createdAt: timeOf('created_at'),
    isInUse: (scope) => running.has(idOf(scope)),
    // Inside a write of this call's own transaction the lock is its own; elsewhere a failed try means another holder.
    // Each operation is one transaction: a crash rolls it back, so nothing is ever left half-done to report.
    pendingOperations: async () => [],
    // A holder in this process is known without the database (on PGlite, asking would wait for it to finish).
    isLockedElsewhere: async (scope) =>
      current.getStore() ? false : holds.isHeld(holdKey(scope)) || database.transaction((client) => isScopeLocked(client, schema, scope)),
    exportScope: (scope, fn, ioOptions) => exportPgScope(ioDeps, scope, fn, ioOptions),
    importScope: async (scope, source, ioOptions) => {
      await importPgScope(ioDeps, scope, source, ioOptions)
      await evict(scope)
      for (const part of ['documents', 'memory'] as const) await maintainVectorIndex(scope, part)
    },
    holdings,
    ...createPgScopeReports({ s, schema, reader }),
    // Only Bento writes these tables, and every store row records its embedder: no other tool's store to adopt.
    adoptStore: async () => {
      throw new RefusedError('A PostgreSQL scope is written only by Bento and records its embedder: there is nothing to adopt.')
    },
    // Deleted rows are PostgreSQL's to reclaim (VACUUM) and there is no commit log: each existing store is reported unchanged.
    compact: async (scope) => {
      const results: StoreCompaction[] = []
      for (const part of ['documents', 'memory'] as const) {
        const stats = await withStore(scope, async (store) => store.stats(), { part })
        if (stats.revision === 0 && stats.live === 0) continue
        const figures = { live: stats.live, deleted: stats.deleted, logRecords: 0, logBytes: 0 }
        results.push({ part, before: figures, after: figures })
      }
      return results
    },
    openStores: () => ({ count: states.size, bytes: [...states.values()].reduce((sum, state) => sum + 1024 + state.documents.length * 256, 0), maxBytes: DEFAULT_MAX_STORE_MEMORY }),
    evict,
    retireSession: async (scope) => {
      if (scope.kind !== 'session') return
      await pool.query(`INSERT INTO ${s}.retired_sessions (dir, retired_at) VALUES ($1, $2) ON CONFLICT (dir) DO NOTHING`, [scope.dir, new Date(now())])
    },
    isSessionRetired: async (scope) =>
      scope.kind === 'session' && (await reader().query(`SELECT 1 FROM ${s}.retired_sessions WHERE dir = $1`, [scope.dir])).rows.length > 0,
    getQuota: async (scope) => {
      const { rows } = await reader().query<{ max_bytes: string | null; max_documents: string | null }>(`SELECT max_bytes, max_documents FROM ${s}.quotas WHERE kind = $1 AND dir = $2`, [scope.kind, scope.dir])
      const row = rows[0]
      if (row === undefined) return undefined
      return { ...(row.max_bytes === null ? {} : { maxBytes: Number(row.max_bytes) }), ...(row.max_documents === null ? {} : { maxDocuments: Number(row.max_documents) }) }
    },
    setQuota: async (scope, quota) => {
      if (quota?.maxBytes === undefined && quota?.maxDocuments === undefined) {
        await pool.query(`DELETE FROM ${s}.quotas WHERE kind = $1 AND dir = $2`, [scope.kind, scope.dir])
        return
      }
      await pool.query(
        `INSERT INTO ${s}.quotas (kind, dir, max_bytes, max_documents) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, dir) DO UPDATE SET max_bytes = EXCLUDED.max_bytes, max_documents = EXCLUDED.max_documents`,
        [scope.kind, scope.dir, quota.maxBytes ?? null, quota.maxDocuments ?? null],
      )
    },
    ...pgConversations(ioDeps),
    async close() {
      await Promise.allSettled([...pendingTouches, ...indexing.values()])
      states.clear()
      await database.close()
    },
    ...moves,
    // Removed scopes' stores leave their vector indexes behind (schema objects do not cascade).
    removeScopes: async (scopes, removeOptions) => {
      const report = await moves.removeScopes(scopes, removeOptions)
      if (report.removed.length > 0) await sweepVectorIndexes()
      return report
    },
  }
}

export type PgScopeIoDeps = {
  s: string
  embedder: Embedder
  holdings(scope: Scope): Promise<ScopeHoldings>
  reader(): Queryable
  transaction<T>(scope: Scope, fn: (q: Queryable) => Promise<T>, waitMs?: number): Promise<T>
  storeFor(scope: Scope, part: StorePart, state: PgStoreState, ids: StoreIdentity): PgVectorStore
  stateOf(q: Queryable, scope: Scope, part: StorePart): Promise<PgStoreState>
  now(): Date
}
