/**
 * Merging one scope's store into another's, on any backend: the source's chunks
 * are exported with their stored vectors (no re-embedding) and added to the
 * target through `withStore`.
 *
 * Name clashes never overwrite. A source document whose id the target already
 * uses is skipped when its content is identical (it is already there), and
 * otherwise added under a new id derived deterministically from (source dir,
 * old id) and reported in `renamed`. Determinism is what makes the merge
 * idempotent: a replay after a crash finds each already-merged document under
 * the same id with the same content and skips it, so nothing is lost or doubled.
 */
import { createHash } from 'node:crypto'
import { crashPoint } from '../faults.js'
import type { Scope } from '../keys.js'
import { countStoreTerms, type PassageTerms } from '../lexical/index.js'
import type { ExportedChunk, VectorStore } from '../store/types.js'
import type { ScopeMergeCounts, ScopeMoveProgress } from './contract/scope-moves.js'
import type { StorageBackend, StorePart } from './types.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PREFIXED_HEX = /^([a-z]+_)?([0-9a-f]{16,64})$/

/** A new id in the same shape as the old one (`doc_` + 24 hex, `mem_`/`sess_` + 32 hex, a UUID), stable for a (source, id) pair. */
export const deriveClashId = (id: string, sourceDir: string): string => {
  const hex = createHash('sha256').update(`${sourceDir}\0${id}`).digest('hex')
  if (UUID.test(id)) return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  const prefixed = PREFIXED_HEX.exec(id)
  if (prefixed) return `${prefixed[1] ?? ''}${hex.slice(0, prefixed[2]!.length)}`
  return `${id}-m${hex.slice(0, 8)}`
}

export const emptyMergeCounts = (): ScopeMergeCounts => ({ documents: 0, vectors: 0, uploads: 0, conversations: 0, memories: 0, alreadyPresent: 0, renamed: [] })

const groupByDocument = (chunks: ExportedChunk[]): Map<string, ExportedChunk[]> => {
  const documents = new Map<string, ExportedChunk[]>()
  for (const chunk of chunks) {
    const list = documents.get(chunk.documentId) ?? []
    list.push(chunk)
    documents.set(chunk.documentId, list)
  }
  for (const list of documents.values()) list.sort((a, b) => a.chunkIndex - b.chunkIndex)
  return documents
}

const sameContent = (a: ExportedChunk[] | undefined, b: ExportedChunk[]): boolean =>
  a !== undefined && a.length === b.length && a.every((chunk, i) => chunk.text === b[i]!.text && chunk.title === b[i]!.title)

/**
 * Chunks added to the target per store commit. A few large commits keep a merge
 * close to raw insert throughput while bounding the memory of one commit.
 */
export const MERGE_BATCH_CHUNKS = 20_000

interface PendingDocument {
  id: string
  newId: string
  chunks: ExportedChunk[]
  terms: PassageTerms[]
}

export interface MergeStoreDeps {
  withStore: StorageBackend['withStore']
  /** Copies one source document's kept original into the target under `id` (before its chunks are added); the files copied. */
  copyUpload(sourceId: string, id: string): Promise<number>
}

/** Merges the source's `part` store into the target's; the caller holds both scopes' locks and checked the source has the store. */
export const mergeStore = async (
  deps: MergeStoreDeps,
  from: Scope,
  to: Scope,
  part: StorePart,
  counts: ScopeMergeCounts,
  onProgress?: (progress: ScopeMoveProgress) => void,
): Promise<void> => {
  const { exported, space } = await deps.withStore(from, async (store) => ({ exported: await store.exportChunks(), space: store.stats().space }), { part, lockHeld: true })
  const documents = groupByDocument(exported)
  await deps.withStore(to, async (target: VectorStore) => {
    // Vectors of the same space are added as stored: a cosine vector normalized again drifts in its last bits.
    const stored = target.stats().space === space
    let targetChunks: Map<string, ExportedChunk[]> | undefined
    const known = new Set(target.listDocuments().map((doc) => doc.id))
    const chunksOf = async (id: string) => (targetChunks ??= groupByDocument(await target.exportChunks())).get(id)
    let batch: PendingDocument[] = []
    let batchChunks = 0
    // A document's chunks always go into one commit: a replay after a crash then finds it whole or absent, never half.
    const commit = async () => {
      if (batch.length === 0) return
      for (const doc of batch) if (part === 'documents') counts.uploads += await deps.copyUpload(doc.id, doc.newId)
      await target.add(batch.flatMap(({ id, newId, chunks, terms }) =>
        chunks.map((chunk, i) => ({ ...chunk, stored, terms: terms[i], documentId: newId, metadata: newId === id ? chunk.metadata : { ...chunk.metadata, migratedFromId: id } }))))
      crashPoint(`migrate-merge:after-add-${part}`)
      for (const { newId, chunks } of batch) {
        targetChunks?.set(newId, chunks)
        if (part === 'memory') counts.memories++
        else counts.documents++
        counts.vectors += chunks.length
      }
      batch = []
      batchChunks = 0
    }
    let done = 0
    for (const [id, chunks] of documents) {
      onProgress?.({ done: done++, total: documents.size, label: part === 'memory' ? 'memories' : 'documents' })
      let newId = id
      if (known.has(id)) {
        if (sameContent(await chunksOf(id), chunks)) {
          counts.alreadyPresent++
          continue
        }
        newId = deriveClashId(id, from.dir)
        if (known.has(newId)) {
          counts.alreadyPresent++ // merged under its new id by an interrupted run
          continue
        }
        counts.renamed.push({ from: id, to: newId })
      }
      if (batchChunks > 0 && batchChunks + chunks.length > MERGE_BATCH_CHUNKS) await commit()
      known.add(newId)
      // Counted as each document joins the batch, not in the commit: the target's commit tokenizes nothing.
      batch.push({ id, newId, chunks, terms: chunks.map((chunk) => countStoreTerms(chunk.text)) })
      batchChunks += chunks.length
    }
    await commit()
  }, { part, lockHeld: true, write: true })
}
