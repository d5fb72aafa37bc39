/**
 * The points the commit log added since the last compaction, kept in memory as a
 * flat segment beside the base index and searched exactly (`searchFlat`): adding to
 * the log never touches hnswlib, so a write costs the same into 100 or 100k points.
 * A search merges the base's k best with the segment's. The log is compacted long
 * before the segment's scan costs more than the HNSW search (`compactionDue`).
 */
import { searchFlat, type FlatIndex, type KnnResult } from './flat-index.js'
import type { Space } from './types.js'

export interface DeltaSegment extends FlatIndex {
  count: number
  labels: Uint32Array
  deleted: Uint8Array
  vectors: Float32Array
  /** Label → position in the segment. */
  ids: Map<number, number>
  /** Points deleted since they were added. */
  dead: number
}

export const createDelta = (dimension: number, space: Space, capacity = 16): DeltaSegment => ({
  dimension, space, count: 0, dead: 0, ids: new Map(),
  labels: new Uint32Array(capacity), deleted: new Uint8Array(capacity), vectors: new Float32Array(capacity * dimension),
})

const grow = (delta: DeltaSegment, needed: number): void => {
  if (needed <= delta.labels.length) return
  let capacity = delta.labels.length * 2
  while (capacity < needed) capacity *= 2
  const labels = new Uint32Array(capacity)
  labels.set(delta.labels)
  const deleted = new Uint8Array(capacity)
  deleted.set(delta.deleted)
  const vectors = new Float32Array(capacity * delta.dimension)
  vectors.set(delta.vectors)
  Object.assign(delta, { labels, deleted, vectors })
}

/** Appends points (`count × dimension` floats, as the index would hold them). */
export const appendPoints = (delta: DeltaSegment, labels: readonly number[], vectors: Float32Array): void => {
  grow(delta, delta.count + labels.length)
  delta.vectors.set(vectors, delta.count * delta.dimension)
  for (const label of labels) {
    delta.labels[delta.count] = label
    delta.ids.set(label, delta.count)
    delta.count++
  }
}

/** Marks a segment point deleted; false when the label is not in the segment. */
export const deleteFromDelta = (delta: DeltaSegment | undefined, label: number): boolean => {
  const id = delta?.ids.get(label)
  if (delta === undefined) return false
  if (id === undefined || delta.deleted[id] === 1) return false
  delta.deleted[id] = 1
  delta.dead++
  return true
}

export const deltaHas = (delta: DeltaSegment | undefined, label: number): boolean => delta?.ids.has(label) === true

/** The point of a segment label (`getPoint`'s contract), or undefined. */
export const deltaPoint = (delta: DeltaSegment | undefined, label: number): Float32Array | undefined => {
  const id = delta?.ids.get(label)
  if (delta === undefined || id === undefined) return undefined
  return delta.vectors.subarray(id * delta.dimension, (id + 1) * delta.dimension)
}

/** Live segment points with their labels, in the order they were added. */
export function* livePoints(delta: DeltaSegment): Generator<{ label: number; point: Float32Array }> {
  for (let id = 0; id < delta.count; id++) {
    if (delta.deleted[id] === 1) continue
    yield { label: delta.labels[id]!, point: delta.vectors.subarray(id * delta.dimension, (id + 1) * delta.dimension) }
  }
}

export const deltaBytes = (delta: DeltaSegment | undefined): number =>
  delta === undefined ? 0 : delta.vectors.byteLength + delta.labels.byteLength + delta.deleted.byteLength + delta.ids.size * 40

export const searchDelta = (delta: DeltaSegment, query: ArrayLike<number>, k: number, accept?: (label: number) => boolean): KnnResult =>
  searchFlat(delta, query, k, accept)

/** The k nearest of two result lists (each nearest first). */
export const mergeKnn = (a: KnnResult, b: KnnResult, k: number): KnnResult => {
  const neighbors: number[] = []
  const distances: number[] = []
  let i = 0
  let j = 0
  while (neighbors.length < k && (i < a.neighbors.length || j < b.neighbors.length)) {
    const takeA = j >= b.neighbors.length || (i < a.neighbors.length && a.distances[i]! <= b.distances[j]!)
    if (takeA) {
      neighbors.push(a.neighbors[i]!)
      distances.push(a.distances[i++]!)
    } else {
      neighbors.push(b.neighbors[j]!)
      distances.push(b.distances[j++]!)
    }
  }
  return { neighbors, distances }
}
