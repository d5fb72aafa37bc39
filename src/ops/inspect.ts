/**
 * `bento inspect <key>`: what a scope holds and whether it is healthy.
 */
import path from 'node:path'
import { BusyError, isBentoError } from '../core/errors.js'
import type { StoredUploadEntry } from '../core/backend/contract/scope-reports.js'
import { DEFAULT_SESSION_TTL_MS } from '../core/sessions.js'
import type { StorageBackend, ScopeQuota } from '../core/backend/types.js'
import { effectiveQuota, isLimited } from './quota.js'
import type { Scope } from '../core/keys.js'
import type { DocumentSummary, SearchHit, StoreStats, VectorStore } from '../core/store/types.js'
import { isDocumentId } from '../core/ingest/document-id.js'
import { pendingNotes } from './pending.js'
import { toIso, toRef } from './scope-ref.js'
import type { InspectResult } from './types.js'

export interface InspectOptions {
  /** Also load the index and check that each document's first chunk finds itself. */
  verify?: boolean
  /** Session scopes expire this long after their last activity. Default 24 h. */
  sessionTtlMs?: number
  /** The default quota (a scope's own wins): shown against the scope's usage when one is in force. */
  quotaDefaults?: ScopeQuota
}

const messageOf = (error: unknown) => (isBentoError(error) || error instanceof Error ? error.message : String(error))

/**
 * A vector searched for must be reached: its first chunk is among the hits, or a hit lies at
 * distance ~0 from it. Near-duplicate documents (100 similar notes) tie at distance ~0 and can
 * fill the top k without the chunk itself; that is a healthy index, not a lost point.
 * Test: test/ops/inspect.test.ts "does not call 100 near-duplicate notes unhealthy".
 */
const SAME_POINT_DISTANCE = 1e-5

const isReached = (hits: SearchHit[], id: string, chunkIndex: number, vector: Float32Array, space: string): boolean => {
  if (hits.some((hit) => hit.documentId === id && hit.chunkIndex === chunkIndex)) return true
  const scale = space === 'cosine' ? 1 : Math.max(1, vector.reduce((sum, x) => sum + x * x, 0))
  return hits.length > 0 && Math.abs(hits[0]!.distance) <= SAME_POINT_DISTANCE * scale
}

/** A damaged or outdated lexical file: no document is lost (the docstore holds every text), and reindex rebuilds it. */
const lexicalProblem = (problem: string, scope: Scope): string =>
  `lexical: ${problem} Search is vector only until \`bento reindex ${scope.key}\` or the next write rebuilds it from the stored texts.`

/** Each document's first chunk must be reached by a search for its own vector. */
const verifyIndex = async (store: VectorStore, problems: string[]): Promise<void> => {
  // An open checks the lexical file as a whole (size, checksum, count); its postings are decoded and checked at first use: now.
  try {
    // A damaged file is not thrown: the store drops it and reports it in stats() (read after this).
    if (store.stats().lexical) await store.searchLexical('', 1)
  } catch (error) {
    problems.push(`lexical: ${messageOf(error)}`)
  }
  const live = store.stats().live
  if (live === 0) return
  const firsts = new Map<string, { vector: Float32Array; chunkIndex: number }>()
  for (const chunk of await store.exportChunks()) {
    const known = firsts.get(chunk.documentId)
    if (!known || chunk.chunkIndex < known.chunkIndex) firsts.set(chunk.documentId, { vector: chunk.vector, chunkIndex: chunk.chunkIndex })
  }
  const k = Math.min(10, live)
  for (const [id, first] of firsts) {
    const hits = await store.search(first.vector, k)
    if (!isReached(hits, id, first.chunkIndex, first.vector, store.stats().space)) {
      problems.push(`index: the first chunk of document ${id} does not find itself among its ${k} nearest neighbours`)
    }
  }
}

/**
 * Every live document ingested from a file keeps its original, filed under its id with its
 * source name (fs: `<uploads>/<id>/<source>`): a document whose original is gone (deleted by
 * hand, or by a commit from a stale view) is unhealthy. Documents without a file (added
 * through the store API) have no `fileType`.
 */
const checkOriginals = (entries: StoredUploadEntry[], documents: DocumentSummary[], problems: string[]): void => {
  const filesOf = new Map(entries.map((entry) => [entry.documentId, entry.files]))
  for (const doc of documents) {
    const { source, fileType } = doc.metadata
    if (!isDocumentId(doc.id) || typeof source !== 'string' || typeof fileType !== 'string' || path.basename(source) !== source) continue
    if (!filesOf.get(doc.id)?.includes(source)) problems.push(`uploads: document ${doc.id} (${source}) has no original upload`)
  }
}

/**
 * @example
 * const report = await inspectScope(backend, customScope('user-123'), { verify: true })
 * if (!report.exists) … // the CLI exits 3
 */
export const inspectScope = async (backend: StorageBackend, scope: Scope, options: InspectOptions = {}): Promise<InspectResult> => {
  const result: InspectResult = {
    ...toRef(scope),
    exists: await backend.scopeExists(scope),
    // Filled from the storage report below (it names them even for a scope that does not exist).
    paths: { vectors: '', uploads: '' },
    vectors: { count: 0, deleted: 0, dimension: null, space: null, embedder: null, capacity: null },
    documents: [],
    uploads: { files: 0, bytes: 0 },
    conversations: 0,
    memories: 0,
    createdAt: null,
    lastActiveAt: null,
    expiresAt: null,
    healthy: true,
    problems: [],
  }
  if (!result.exists) {
    result.paths = { ...(await backend.scopeStorage(scope)).locations }
    return result
  }
  // A write in flight elsewhere shows its uploads as orphans and its chunks as missing: busy, not unhealthy.
  // Test: test/cli/inspect-busy.test.ts.
  await assertNotLockedElsewhere(backend, scope)
  const problems = result.problems
  // Read-only: an unfinished operation on this scope is reported, never finished here (test/reliability/read-only-pending.test.ts).
  const pending = await pendingNotes(backend, [scope])
  if (pending.length > 0) result.pending = pending
  for (const note of pending) problems.push(`journal: ${note.message} (${note.id})`)
  const storage = await backend.scopeStorage(scope, options.verify ? { verify: true } : {})
  result.paths = { ...storage.locations }

  let documents: DocumentSummary[] = []
  if (storage.stores.documents) {
    try {
      const loaded = await backend.withStore(scope, async (store) => {
        const docs = store.listDocuments()
        if (options.verify) await verifyIndex(store, problems)
        // After the verify: its full decode of the lexical file may have found it damaged.
        const stats: StoreStats = store.stats()
        return { stats, docs }
      }, { lockHeld: false })
      documents = loaded.docs
      const { stats } = loaded
      result.vectors = {
        count: stats.live,
        deleted: stats.deleted,
        dimension: stats.dimension ?? null,
        space: stats.dimension === undefined ? null : stats.space,
        embedder: stats.embedderId ?? null,
        capacity: stats.dimension === undefined ? null : stats.capacity,
        // Not the configured embedder: nothing says which model made these vectors (test/ops/adopt.test.ts).
        ...(stats.embedderId === undefined && stats.live > 0 ? { embedderUnknown: true as const, fix: `bento adopt ${scope.key} --embedder <id>` } : {}),
      }
      if (stats.lexicalProblem !== undefined) problems.push(lexicalProblem(stats.lexicalProblem, scope))
      const chunks = documents.reduce((sum, doc) => sum + doc.chunks, 0)
      if (chunks !== stats.live) problems.push(`store: the docstore lists ${chunks} chunks but the index holds ${stats.live} live points`)
    } catch (error) {
      problems.push(`store: ${messageOf(error).replace('<key>', scope.key)}`)
    }
  }
  result.documents = documents.map((doc) => ({ id: doc.id, title: doc.title, chunks: doc.chunks, bytes: doc.bytes }))

  const { uploads } = storage
  result.uploads = { files: uploads.files, bytes: uploads.bytes }
  problems.push(...storage.problems)
  checkOriginals(uploads.entries, documents, problems)
  const ids = new Set(documents.map((doc) => doc.id))
  for (const entry of uploads.entries) {
    if (!ids.has(entry.documentId)) problems.push(`uploads: ${entry.documentId}/ belongs to no document (orphan)`)
  }

  result.conversations = storage.conversations
  if (storage.stores.memory) {
    try {
      const stats = await backend.withStore(scope, async (store) => store.stats(), { part: 'memory' })
      result.memories = stats.live
      if (stats.lexicalProblem !== undefined) problems.push(`memory: ${lexicalProblem(stats.lexicalProblem, scope)}`)
    } catch (error) {
      problems.push(`memory: ${messageOf(error)}`)
    }
  }

  const created = await backend.createdAt(scope)
  const last = await backend.lastActiveAt(scope)
  result.createdAt = toIso(created)
  result.lastActiveAt = toIso(last)
  if (scope.kind === 'session' && last) result.expiresAt = new Date(last.getTime() + (options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS)).toISOString()
  const quota = await effectiveQuota(backend, scope, options.quotaDefaults)
  if (isLimited(quota)) {
    result.quota = { maxBytes: quota.maxBytes ?? null, maxDocuments: quota.maxDocuments ?? null, bytes: (await backend.usage(scope)).totalBytes, documents: result.documents.length }
  }
  // Taken while we read: what we saw may be half of that write.
  await assertNotLockedElsewhere(backend, scope)
  result.healthy = problems.length === 0
  return result
}

const assertNotLockedElsewhere = async (backend: StorageBackend, scope: Scope): Promise<void> => {
  if (await backend.isLockedElsewhere(scope)) {
    throw new BusyError(`Scope "${scope.key}" is being changed by another process; inspect it again when that finishes.`)
  }
}
