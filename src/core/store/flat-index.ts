/**
 * A small store's vectors, searched exactly in JS instead of through hnswlib.
 *
 * An hnswlib index costs ~2.6 MB of native memory however few points it holds
 * (65,536 label mutexes allocated per index), which made a 64-chunk store cost
 * ~3 MB open and capped how many scopes a server could keep. Up to
 * `FLAT_MAX_POINTS` points the store keeps only the vectors it read while
 * validating `hnswlib.index` (one read of the file, no `readIndex`), and answers
 * searches by scanning them: exact, so at least as good as HNSW, and at this size
 * as fast (hnswlib's default ef 250 visits most of such a graph anyway).
 * Mutations load hnswlib for the commit only (the file stays hnswlib's, for LangChain).
 *
 * Distances are hnswlib's: ip is 1 - dot, l2 the squared distance; a cosine store's
 * index is inner product over vectors normalized before they go in (cosine.ts), so
 * its query arrives normalized and is scored as ip.
 */
import type { IndexFileInfo } from './index-header.js'
import type { Space } from './types.js'

/** By default, stores of at most this many points (live and deleted) are searched in JS (`exactSearchMaxPoints`). */
export const FLAT_MAX_POINTS = 1024

export interface FlatIndex {
  readonly dimension: number
  readonly space: Space
  readonly count: number
  readonly labels: Uint32Array
  readonly deleted: Uint8Array
  readonly vectors: Float32Array
  /** Label → internal id, built on the first `pointOf`. */
  ids?: Map<number, number>
}

export interface KnnResult {
  neighbors: number[]
  distances: number[]
}


export const flatFromInfo = (info: IndexFileInfo, dimension: number, space: Space): FlatIndex | undefined =>
  info.vectors === undefined ? undefined : { dimension, space, count: info.count, labels: info.labels, deleted: info.deleted, vectors: info.vectors }

/** Bytes the flat index holds (what a pool charges for it). */
export const flatBytes = (flat: FlatIndex): number => flat.vectors.byteLength + flat.labels.byteLength + flat.deleted.byteLength

const idOf = (flat: FlatIndex, label: number): number => {
  if (!flat.ids) {
    flat.ids = new Map()
    for (let id = 0; id < flat.count; id++) flat.ids.set(flat.labels[id]!, id)
  }
  const id = flat.ids.get(label)
  if (id === undefined) throw new RangeError(`Label ${label} is not in the index.`)
  return id
}

/** Marks a point deleted in memory (a deletion the commit log records; the file is rewritten at compaction). */
export const markFlatDeleted = (flat: FlatIndex, label: number): void => {
  flat.deleted[idOf(flat, label)] = 1
}

/** The stored vector of `label` (as hnswlib's getPoint returns it: normalized in a cosine store). */
export const pointOf = (flat: FlatIndex, label: number): number[] => {
  const id = idOf(flat, label)
  return Array.from(flat.vectors.subarray(id * flat.dimension, (id + 1) * flat.dimension))
}

/** The `k` nearest live points accepted by `accept`, nearest first (hnswlib's `searchKnn` contract). */
export const searchFlat = (flat: FlatIndex, query: ArrayLike<number>, k: number, accept?: (label: number) => boolean): KnnResult => {
  const { dimension, vectors, labels, deleted, count, space } = flat
  if (k <= 0) return { neighbors: [], distances: [] }
  // Kept sorted by distance, at most k long: k is small (a page of hits).
  const bestIds: number[] = []
  const bestDistances: number[] = []
  for (let id = 0; id < count; id++) {
    if (deleted[id] === 1) continue
    const base = id * dimension
    let distance: number
    if (space === 'l2') {
      distance = 0
      for (let i = 0; i < dimension; i++) {
        const d = query[i]! - vectors[base + i]!
        distance += d * d
      }
    } else {
      let dot = 0
      for (let i = 0; i < dimension; i++) dot += query[i]! * vectors[base + i]!
      distance = 1 - dot
    }
    if (bestIds.length === k && distance >= bestDistances[k - 1]!) continue
    if (accept && !accept(labels[id]!)) continue
    let at = bestIds.length === k ? k - 1 : bestIds.length
    while (at > 0 && bestDistances[at - 1]! > distance) {
      bestIds[at] = bestIds[at - 1]!
      bestDistances[at] = bestDistances[at - 1]!
      at--
    }
    bestIds[at] = id
    bestDistances[at] = distance
  }
  return { neighbors: bestIds.map((id) => labels[id]!), distances: bestDistances.map((d) => Math.fround(d)) }
}
