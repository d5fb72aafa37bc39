/**
 * `bento adopt <key> --embedder <id>`: declares which embedder made the vectors of a store
 * another tool wrote (LangChain's `HNSWLib.save` records none), after checking that its
 * dimension matches the stored vectors. Until then search, add and migrate-merge refuse the
 * store (`embedder_mismatch`): assuming the configured embedder searched or mixed another
 * model's vectors silently. A store LangChain re-saved after Bento wrote it (its manifest
 * disagrees with its files) gets a manifest rebuilt from the files.
 */
import { InvalidInputError, NotFoundError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import { toRef } from './scope-ref.js'
import type { ScopeRef } from './types.js'
import { finishPendingFor } from './recover.js'

export interface AdoptOptions {
  /** The embedder id, e.g. `local-hash-v1:384` or `openai:text-embedding-3-small:1536`. */
  embedderId: string
  /** The embedder's dimension; default: the id's `:<dimension>` suffix. */
  dimension?: number
  /** Check and report, write nothing. */
  dryRun?: boolean
  lockWaitMs?: number
}

export interface AdoptResult extends ScopeRef {
  embedderId: string
  dimension: number
  vectors: number
  previousEmbedderId: string | null
  /** Why the manifest was (or, in a dry run, would be) rebuilt from the data files; null when it was not. */
  rebuiltManifest: string | null
  /** False when the store already recorded this embedder. */
  changed: boolean
  dryRun: boolean
}

const DIMENSION_SUFFIX = /:(\d{1,5})$/

/** The dimension a Bento embedder id ends with (`local-hash-v1:384`), else the explicit one. */
export const dimensionOf = (embedderId: string, dimension: number | undefined): number => {
  const fromId = DIMENSION_SUFFIX.exec(embedderId)?.[1]
  const resolved = dimension ?? (fromId === undefined ? undefined : Number(fromId))
  if (resolved === undefined) throw new InvalidInputError(`Embedder id "${embedderId}" does not end with :<dimension>; give --dimension.`)
  if (!Number.isInteger(resolved) || resolved < 1 || resolved > 65_536) throw new InvalidInputError('The dimension must be a whole number from 1 to 65536.')
  if (dimension !== undefined && fromId !== undefined && Number(fromId) !== dimension) {
    throw new InvalidInputError(`Embedder id "${embedderId}" names dimension ${fromId}, not ${dimension}.`)
  }
  return resolved
}

/**
 * @example
 * await adoptScope(backend, customScope('user-1'), { embedderId: 'openai:text-embedding-3-small:1536' })
 * // { key: 'user-1', embedderId: 'openai:…', dimension: 1536, vectors: 120, changed: true, … }
 */
export const adoptScope = async (backend: StorageBackend, scope: Scope, options: AdoptOptions): Promise<AdoptResult> => {
  const embedderId = typeof options.embedderId === 'string' ? options.embedderId.trim() : ''
  if (embedderId === '') throw new InvalidInputError('Name the embedder that made the vectors: --embedder <id>.')
  const dimension = dimensionOf(embedderId, options.dimension)
  if (!(await backend.scopeExists(scope))) throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
  const dryRun = options.dryRun === true
  if (!dryRun) await finishPendingFor(backend, [scope])
  const adopted = await backend.adoptStore(scope, { embedderId, dimension, dryRun, lockWaitMs: options.lockWaitMs })
  return {
    ...toRef(scope),
    embedderId,
    dimension: adopted.dimension,
    vectors: adopted.live,
    previousEmbedderId: adopted.previousEmbedderId ?? null,
    rebuiltManifest: adopted.rebuiltManifest ?? null,
    changed: adopted.changed,
    dryRun,
  }
}
