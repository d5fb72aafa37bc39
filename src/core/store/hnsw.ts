/**
 * The few things Bento does with hnswlib-node, each guarding one of its hazards:
 * `ef` is not saved (set it after every load and build), an empty saved index reloads
 * with capacity 0 (resize after load), writes are not checked (validate what was written).
 */
import path from 'node:path'
import type { HierarchicalNSW } from 'hnswlib-node'
import * as fs from '../fs.js'
import { indexSpaceOf } from './cosine.js'
import { INDEX_FILE } from './files.js'
import { quarantineIndex, releaseIndex, takeIndex } from './index-recycler.js'
import { validateIndexFile, type IndexFileInfo } from './index-header.js'
import type { StagedFile } from './commit.js'
import { discardStaged } from './commit.js'
import type { Space } from './types.js'

export type Index = HierarchicalNSW

export interface IndexParams {
  space: Space
  dimension: number
  m: number
  efConstruction: number
  efSearch: number
}

const RANDOM_SEED = 100

// hnswlib-node checks that the file opens before it deletes the object's old index.
const OPEN_FAILED = 'Hnswlib Error: failed to open file: '

/** A new index (on a recycled object when one is idle); give it back with `releaseIndex` when done. */
export const createIndex = (params: IndexParams, capacity: number): Index => {
  const index = takeIndex(indexSpaceOf(params.space), params.dimension)
  index.initIndex(Math.max(1, capacity), params.m, params.efConstruction, RANDOM_SEED)
  index.setEf(params.efSearch)
  return index
}

/** Loads a file `validateIndexFile` accepted; never call it on anything else. */
export const loadIndex = async (file: string, params: IndexParams, capacity: number): Promise<Index> => {
  const index = takeIndex(indexSpaceOf(params.space), params.dimension)
  try {
    await index.readIndex(file)
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(OPEN_FAILED)) releaseIndex(index)
    else quarantineIndex(index)
    throw error
  }
  if (index.getMaxElements() < Math.max(1, capacity)) index.resizeIndex(Math.max(1, capacity))
  index.setEf(params.efSearch)
  return index
}

export { releaseIndex }

/**
 * Writes the index to a fresh temp name, fsyncs it, then reads it back through the
 * validator: hnswlib's writer ignores write errors (ENOSPC gives a short file), and
 * nothing unvalidated may ever be renamed into place.
 */
export const stageIndex = async (dir: string, index: Index, expected: { dimension: number; capacity: number; keepVectors?: boolean }): Promise<StagedFile & { info: IndexFileInfo }> => {
  const temp = fs.tempPathFor(path.join(dir, INDEX_FILE))
  const staged: StagedFile = { name: INDEX_FILE, temp, bytes: 0 }
  try {
    await index.writeIndex(temp)
    await fs.fsyncFile(temp)
    const bytes = await fs.readFile(temp)
    const info = validateIndexFile(bytes, { ...expected, file: `${INDEX_FILE} (as just written)` })
    return { ...staged, bytes: bytes.length, info }
  } catch (error) {
    await discardStaged([staged])
    throw error
  }
}

/** hnswlib-node wants plain arrays; it only reads them, so a caller's array is passed as is. */
export const toArray = (vector: ArrayLike<number>): number[] => {
  if (Array.isArray(vector)) return vector
  // An indexed copy: Array.from goes through the iterator protocol (3% of a search request).
  const copy = new Array<number>(vector.length)
  for (let i = 0; i < vector.length; i++) copy[i] = vector[i]!
  return copy
}

/** Higher is closer: hnswlib's cosine and ip distances are 1 - dot; l2 is squared distance. */
export const scoreOf = (space: Space, distance: number): number => (space === 'l2' ? 1 / (1 + distance) : 1 - distance)
