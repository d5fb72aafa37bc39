/**
 * Opens (or prepares to create) the store in a directory. Opening never writes: a
 * pending journal is read through, and finished by the first mutation.
 */
import { InvalidOptionsError, NotFoundError } from '../errors.js'
import { DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH, DEFAULT_INITIAL_CAPACITY, DEFAULT_M, DEFAULT_SPACE } from './defaults.js'
import { FLAT_MAX_POINTS } from './flat-index.js'
import { MAX_LABEL } from './manifest.js'
import { defaultAnalyzer } from '../lexical/index.js'
import { readSnapshot } from './snapshot.js'
import { readCatalogSnapshot } from './catalog-snapshot.js'
import type { ResolvedOptions } from './state.js'
import type { StoreOpenOptions, VectorStore } from './types.js'
import { HnswVectorStore } from './vector-store.js'

const SPACES = ['cosine', 'l2', 'ip']

const integer = (name: string, value: unknown, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(`${name} must be an integer from ${min} to ${max} (got ${String(value)}).`)
  }
  return value
}

const lexicalOptions = (lexical: StoreOpenOptions['lexical']): StoreOpenOptions['lexical'] => {
  if (lexical === undefined) return undefined
  for (const name of ['stopWords', 'stemming'] as const) {
    if (lexical?.[name] !== undefined && typeof lexical[name] !== 'boolean') throw new InvalidOptionsError(`lexical.${name} must be true or false.`)
  }
  return lexical
}

export const resolveOptions = (options: StoreOpenOptions): ResolvedOptions => {
  if (typeof options?.dir !== 'string' || options.dir === '') throw new InvalidOptionsError('dir must be a non-empty path.')
  if (options.space !== undefined && !SPACES.includes(options.space)) throw new InvalidOptionsError(`space must be one of ${SPACES.join(', ')}.`)
  if (options.embedderId !== undefined && (typeof options.embedderId !== 'string' || options.embedderId === '')) {
    throw new InvalidOptionsError('embedderId must be a non-empty string.')
  }
  if (options.appendLog !== undefined && typeof options.appendLog !== 'boolean') throw new InvalidOptionsError('appendLog must be true or false.')
  if (options.lazy !== undefined && typeof options.lazy !== 'boolean') throw new InvalidOptionsError('lazy must be true or false.')
  const m = integer('m', options.m, 2, 100) ?? DEFAULT_M
  // hnswlib raises efConstruction to M silently; doing it here keeps the manifest truthful.
  const efConstruction = Math.max(m, integer('efConstruction', options.efConstruction, 1, 100_000) ?? DEFAULT_EF_CONSTRUCTION)
  return {
    dimension: integer('dimension', options.dimension, 1, 65_536),
    space: options.space ?? DEFAULT_SPACE,
    embedderId: options.embedderId,
    efSearch: integer('efSearch', options.efSearch, 1, 100_000),
    efConstruction,
    m,
    initialCapacity: integer('initialCapacity', options.initialCapacity, 1, MAX_LABEL) ?? DEFAULT_INITIAL_CAPACITY,
    defaultEfSearch: DEFAULT_EF_SEARCH,
    exactSearchMaxPoints: integer('exactSearchMaxPoints', options.exactSearchMaxPoints, 0, MAX_LABEL) ?? FLAT_MAX_POINTS,
    analyzer: defaultAnalyzer(lexicalOptions(options.lexical)),
    appendLog: options.appendLog ?? true,
    ignoreManifest: options.ignoreManifest === true,
  }
}

/**
 * Opens the store in `options.dir`: a Bento store, a directory LangChain.js's
 * `HNSWLib.save` wrote (adopted: the manifest is written at the next commit), or,
 * with `create` (the default), a new empty store that writes nothing until its
 * first change. Creation parameters (space, m, efConstruction) of an existing store
 * are its own; `dimension`/`embedderId` that disagree with it make add and search
 * throw `EmbedderMismatchError` (stats, list, export and delete still work).
 *
 * @throws CorruptStoreError when the files are damaged or disagree, NotFoundError
 *   when `create` is false and there is no store.
 * @example
 * const store = await openStore({ dir: layout.vectorsDir(scope), dimension: 384, embedderId: embedder.id })
 * await store.add([{ documentId: 'doc-1', title: 'Notes', text: 'hello', chunkIndex: 0, vector }])
 * const hits = await store.search(queryVector, 5)
 * await store.close()
 */
export const openStore = async (options: StoreOpenOptions): Promise<VectorStore> => {
  const resolved = resolveOptions(options)
  if (options.lazy === true && !resolved.ignoreManifest && resolved.appendLog) {
    const partial = await readCatalogSnapshot(options.dir)
    if (partial) return new HnswVectorStore(options.dir, resolved, partial)
  }
  const snapshot = await readSnapshot(options.dir, resolved)
  if (!snapshot.found && options.create === false) throw new NotFoundError(`No vector store in ${options.dir}.`)
  return new HnswVectorStore(options.dir, resolved, snapshot)
}
