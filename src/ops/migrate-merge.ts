/**
 * Migrate into a target that already holds data: the source's chunks are
 * exported with their vectors (no re-embedding) and added to the target,
 * uploads are copied per document, conversations and memories are merged.
 *
 * Name clashes never overwrite. A source document whose id the target already
 * uses is skipped when its content is identical (it is already there), and
 * otherwise added under a new id derived deterministically from (source dir,
 * old id) and reported in `renamed`. Determinism is what makes the merge
 * idempotent: a replay after a crash finds each already-merged document under
 * the same id with the same content and skips it, so nothing is lost or doubled.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { crashPoint } from '../core/faults.js'
import * as fs from '../core/fs.js'
import { assertLocksHeld } from '../core/lock.js'
import { endIntent, updateIntent } from '../core/journal.js'
import type { JournalIntent } from '../core/journal.js'
import { ensureDir } from '../core/layout.js'
import type { StorageBackend, StorePart } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { ExportedChunk, VectorStore } from '../core/store/types.js'
import { copyTree } from './copy-tree.js'
import { emptyTrash, moveScopeToTrash } from './trash.js'
import type { OnProgress } from './types.js'

export interface MergeCounts {
  documents: number
  vectors: number
  uploads: number
  conversations: number
  memories: number
  /** Already in the target with identical content (a replay, or the same document twice). */
  alreadyPresent: number
  renamed: Array<{ from: string; to: string }>
}

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

const exists = async (p: string) => (await fs.lstatOrUndefined(p)) !== undefined

/** Copies one document's upload dir into the target under `id`, atomically (temp name, then rename). */
const copyUploads = async (backend: StorageBackend, from: Scope, to: Scope, sourceId: string, id: string): Promise<number> => {
  const { layout } = backend
  const source = path.join(layout.uploadsDir(from), sourceId)
  if (!(await exists(source))) return 0
  const targetRoot = layout.uploadsDir(to)
  await ensureDir(layout, targetRoot)
  const target = path.join(targetRoot, id)
  // The document is not in the target store, so an upload dir under its id is ours from an interrupted run.
  await assertLocksHeld()
  await fs.remove(target)
  const temp = fs.tempPathFor(target)
  const copied = await copyTree(source, temp)
  await fs.rename(temp, target)
  return copied.files
}

/**
 * Chunks added to the target per store commit. Every commit rewrites the whole
 * target store, so one commit per document made a merge O(documents × store
 * size); a few large commits keep it close to raw `addPoint` throughput while
 * bounding the memory of one commit.
 */
export const MERGE_BATCH_CHUNKS = 20_000

interface PendingDocument {
  id: string
  newId: string
  chunks: ExportedChunk[]
}

const mergeStore = async (
  backend: StorageBackend,
  from: Scope,
  to: Scope,
  part: StorePart,
  counts: MergeCounts,
  onProgress?: OnProgress,
): Promise<void> => {
  const { layout } = backend
  const sourceDir = part === 'memory' ? layout.memoryDir(from) : layout.vectorsDir(from)
  if (!(await exists(sourceDir))) return
  const { exported, space } = await backend.withStore(from, async (store) => ({ exported: await store.exportChunks(), space: store.stats().space }), { part, lockHeld: true })
  const documents = groupByDocument(exported)
  await backend.withStore(to, async (target: VectorStore) => {
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
      for (const doc of batch) if (part === 'documents') counts.uploads += await copyUploads(backend, from, to, doc.id, doc.newId)
      await target.add(batch.flatMap(({ id, newId, chunks }) =>
        chunks.map((chunk) => ({ ...chunk, stored, documentId: newId, metadata: newId === id ? chunk.metadata : { ...chunk.metadata, migratedFromId: id } }))))
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
      batch.push({ id, newId, chunks })
      batchChunks += chunks.length
    }
    await commit()
  }, { part, lockHeld: true, write: true })
}

/**
 * A conversation is read only when the id inside its file is the id its file is named
 * after, so one merged under a new name gets the new id written in. A file that is not
 * a JSON object was unreadable in the source and is copied as it is.
 */
const withConversationId = (bytes: Buffer, id: string): Buffer => {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    return bytes
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bytes
  return Buffer.from(`${JSON.stringify({ ...value, id }, null, 2)}\n`)
}

const mergeConversations = async (backend: StorageBackend, from: Scope, to: Scope, counts: MergeCounts): Promise<void> => {
  const { layout } = backend
  const source = layout.conversationsDir(from)
  if (!(await exists(source))) return
  const target = layout.conversationsDir(to)
  await ensureDir(layout, target)
  for await (const entry of await fs.opendir(source)) {
    if (!entry.isFile() || !entry.name.endsWith('.json') || fs.isTempName(entry.name)) continue
    let bytes: Buffer = await fs.readFile(path.join(source, entry.name))
    let name = entry.name
    const existing = path.join(target, name)
    if (await exists(existing)) {
      if ((await fs.readFile(existing)).equals(bytes)) continue
      const id = deriveClashId(name.slice(0, -'.json'.length), from.dir)
      name = `${id}.json`
      counts.renamed.push({ from: entry.name, to: name })
      if (await exists(path.join(target, name))) continue
      bytes = withConversationId(bytes, id)
    }
    await fs.writeFileAtomic(path.join(target, name), bytes)
    counts.conversations++
  }
}

/**
 * Runs (or replays) a merge. The caller holds both locks and has begun the
 * intent. Phase `merged` is written before the source is removed, so a replay
 * after that point only finishes the removal.
 */
export const runMergeMigration = async (backend: StorageBackend, intent: JournalIntent, from: Scope, to: Scope, onProgress?: OnProgress): Promise<MergeCounts> => {
  const counts: MergeCounts = { documents: 0, vectors: 0, uploads: 0, conversations: 0, memories: 0, alreadyPresent: 0, renamed: [] }
  if (intent.phase !== 'merged') {
    await mergeStore(backend, from, to, 'documents', counts, onProgress)
    await mergeStore(backend, from, to, 'memory', counts, onProgress)
    await mergeConversations(backend, from, to, counts)
    crashPoint('migrate-merge:before-merged')
    await updateIntent(backend.layout, intent, 'merged')
  }
  if (intent.data.copy !== true) {
    await backend.evict(from)
    await moveScopeToTrash(backend.layout, from, intent.id, 'migrate-merge')
    await emptyTrash(backend.layout, intent.id)
  }
  await endIntent(backend.layout, intent)
  return counts
}
