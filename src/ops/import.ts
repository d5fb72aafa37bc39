/**
 * `bento import <file> [--as <key>]`: creates a scope from an archive `bento
 * export` wrote, through the backend's `importScope` (all or nothing). Plan,
 * then apply: the plan reads and verifies the whole archive without writing
 * anything, refuses another embedder's vectors and a target that holds data;
 * the apply reads it again, checking every entry once more as it is written.
 */
import { BusyError, ConflictError, EmbedderMismatchError, InvalidArchiveError, isBentoError } from '../core/errors.js'
import { customScope, sessionScope, sharedScope, type Scope } from '../core/keys.js'
import type { ScopeUploadSource, StorageBackend } from '../core/backend/types.js'
import { openArchive } from './archive/read.js'
import { verifyArchive, type VerifiedArchive } from './archive/verify.js'
import { pendingNotes } from './pending.js'
import { recoverPendingOperations } from './recover.js'
import { toRef } from './scope-ref.js'
import type { ImportResult } from './types.js'

export interface ImportOptions {
  file: string
  /** Import under this key instead of the archive's own. */
  as?: Scope
  /** How long to wait for the scope's lock. Default 2000 ms. */
  lockWaitMs?: number
  /** Plan for a dry run: an unfinished operation on the scope is reported (busy), not finished. */
  dryRun?: boolean
}

export interface ImportPlan {
  scope: Scope
  archive: VerifiedArchive
  lockWaitMs: number
  /** The dry-run answer (what `applyImport` would report). */
  result: ImportResult
}

/** The scope an archive names, through the key module: a manifest cannot name a path. */
const scopeOfManifest = (archive: VerifiedArchive): Scope => {
  const { key, kind } = archive.manifest.scope
  try {
    const scope = kind === 'shared' ? sharedScope() : kind === 'session' ? sessionScope(key) : customScope(key)
    if (scope.kind !== kind || scope.key !== key) throw new Error('kind')
    return scope
  } catch (error) {
    const why = isBentoError(error) ? error.message : `it is not a ${kind} key`
    throw new InvalidArchiveError(`The archive names scope ${JSON.stringify(key.slice(0, 60))} of kind ${kind}, which is not a valid scope (${why}). Import it with --as <key>.`)
  }
}

/** Vectors are never re-embedded: the configured embedder must be the one that made them. */
const assertSameEmbedder = (backend: StorageBackend, archive: VerifiedArchive): void => {
  const { embedder, stores } = archive.manifest
  if (embedder === null || stores.documents.chunks + stores.memory.chunks === 0) return
  const configured = backend.embedder
  if (embedder.dimension === configured.dimension && (embedder.id === null || embedder.id === configured.id)) return
  throw new EmbedderMismatchError(
    `The archive's vectors were made by embedder "${embedder.id ?? 'unknown'}" (dimension ${embedder.dimension}), ` +
      `but the configured embedder is "${configured.id}" (dimension ${configured.dimension}). ` +
      `Configure that embedder (BENTO_EMBEDDER, BENTO_EMBEDDINGS_MODEL, BENTO_EMBEDDINGS_DIMENSION) to import it; vectors are never re-embedded.`,
  )
}

const resultOf = (plan: Omit<ImportPlan, 'result'>, dryRun: boolean): ImportResult => {
  const { manifest, manifestSha256, file } = plan.archive
  return {
    ...toRef(plan.scope),
    file,
    dryRun,
    sourceKey: manifest.scope.key,
    archiveCreatedAt: manifest.createdAt,
    manifestSha256,
    embedder: manifest.embedder?.id ?? null,
    dimension: manifest.embedder?.dimension ?? null,
    documents: manifest.counts.documents,
    chunks: manifest.counts.chunks,
    memories: manifest.counts.memories,
    uploads: manifest.counts.uploads,
    conversations: manifest.counts.conversations,
    bytes: manifest.counts.bytes,
  }
}

/**
 * Verifies the archive and checks it can be imported. Writes nothing, except that a real
 * import's plan first finishes an earlier crashed operation (a dry run reports it instead).
 *
 * @example
 * const plan = await planImport(backend, { file: 'user-1.bento.tar', as: customScope('user-2') })
 * const result = await applyImport(backend, plan)
 */
export const planImport = async (backend: StorageBackend, options: ImportOptions): Promise<ImportPlan> => {
  const archive = await verifyArchive(options.file)
  const scope = options.as ?? scopeOfManifest(archive)
  assertSameEmbedder(backend, archive)
  if (options.dryRun) {
    // Test: test/reliability/read-only-pending.test.ts.
    const [pending] = await pendingNotes(backend, [scope])
    if (pending) throw new BusyError(`${pending.message[0]!.toUpperCase()}${pending.message.slice(1)}.`)
  } else {
    await recoverPendingOperations(backend)
  }
  const held = await backend.holdings(scope)
  if (held.documents + held.memories + held.uploads + held.conversations > 0) {
    throw new ConflictError(
      `Scope "${scope.key}" already holds data (${held.documents} documents, ${held.memories} memories, ${held.uploads} uploads, ${held.conversations} conversations); ` +
        'import never merges into or overwrites a scope. Import under another key with --as <key>, or remove that scope first.',
    )
  }
  const plan = { scope, archive, lockWaitMs: options.lockWaitMs ?? 2000 }
  return { ...plan, result: resultOf(plan, true) }
}

/** Writes the planned scope. The archive is read again; an entry that changed since the plan fails the import with nothing written. */
export const applyImport = async (backend: StorageBackend, plan: ImportPlan, options: { dryRun?: boolean } = {}): Promise<ImportResult> => {
  if (options.dryRun) return resultOf(plan, true)
  const { archive } = plan
  const reader = await openArchive(archive.file)
  try {
    if (reader.manifestSha256 !== archive.manifestSha256) throw new ConflictError(`${archive.file} changed since it was verified; run the import again.`)
    async function* uploads(): AsyncGenerator<ScopeUploadSource> {
      for await (const { entry, kind, content } of reader.entries()) {
        if (kind.kind === 'upload') yield { documentId: kind.documentId, name: kind.name, size: entry.size, content }
      }
    }
    await backend.importScope(plan.scope, {
      createdAt: archive.manifest.activity.createdAt === null ? undefined : new Date(archive.manifest.activity.createdAt),
      documents: archive.documents,
      memory: archive.memory,
      conversations: archive.conversations.map((conversation) => ({ ...conversation, userId: plan.scope.key })),
      uploads: uploads(),
    }, { lockWaitMs: plan.lockWaitMs })
  } finally {
    await reader.close()
  }
  return resultOf(plan, false)
}
