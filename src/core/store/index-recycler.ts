/**
 * Reuses hnswlib index objects, so native memory follows the open stores, not
 * the number of scopes ever opened.
 *
 * hnswlib-node frees an index's native memory (≥ 2.5 MB even when empty: 65,536
 * label mutexes, plus its data) only when V8 collects the JS object, and V8 does
 * not count that memory, so it rarely collects: a server that touched many more
 * scopes than its pool cap held gigabytes (docs/BENCHMARKS.md). But `initIndex` and `readIndex` on an existing
 * object delete its previous native index first. So a closed store's object is
 * shrunk (`initIndex(1)` frees its data) and kept on a free list per space and
 * dimension, and the next open takes it instead of `new`. Objects beyond the free
 * list are dropped shrunk, holding ~2.5 MB until collected, not their index.
 *
 * The free list must hold as many objects as a store pool can close before its
 * next opens take them: a pool evicts one store per open, so under concurrent
 * requests closes and opens arrive in bursts. A list of 8 behind a pool of 64
 * dropped every close beyond 8 while the next opens created new objects: 1,000
 * scopes round-robin at 16 connections created one object per 3 requests, and the
 * dropped ones (V8 rarely collects: it does not see their native memory) took the
 * server to 1.2 GB. A pool therefore raises the limit to its cap
 * (`keepIdleIndexes`); objects then never outnumber the most stores open at once.
 * Test: test/core/store/index-recycler.test.ts.
 */
import hnswlib from 'hnswlib-node'
import type { HierarchicalNSW } from 'hnswlib-node'
import type { Space } from './types.js'

/** Idle objects kept per space and dimension until a pool asks for more. */
export const FREE_PER_SHAPE = 8

let idleLimit = FREE_PER_SHAPE

const free = new Map<string, HierarchicalNSW[]>()
const shapes = new WeakMap<HierarchicalNSW, string>()
const idle = new WeakSet<HierarchicalNSW>()
/** Objects that went through the free list: they hold a native index when taken. */
const recycled = new WeakSet<HierarchicalNSW>()
// readIndex deletes the object's native index before loading the file; when the load then
// fails, the object keeps a dangling pointer that the next initIndex or its destructor (at GC)
// would free a second time. Such objects are held here for good: never reused, never collected.
const quarantined: HierarchicalNSW[] = []
const counts = { created: 0, reused: 0, released: 0, dropped: 0 }

const shapeOf = (space: Space, dimension: number): string => `${space}:${dimension}`

/** An object for `space`/`dimension`, idle and ready for `initIndex` or `readIndex`. */
export const takeIndex = (space: Space, dimension: number): HierarchicalNSW => {
  const shape = shapeOf(space, dimension)
  const reused = free.get(shape)?.pop()
  if (reused) {
    idle.delete(reused)
    counts.reused++
    return reused
  }
  const index = new hnswlib.HierarchicalNSW(space, dimension)
  shapes.set(index, shape)
  counts.created++
  return index
}

/**
 * Gives back an object nothing uses any more (its store closed, or its state
 * was replaced). Never call it on an object a search or write may still reach.
 */
export const releaseIndex = (index: HierarchicalNSW): void => {
  const shape = shapes.get(index)
  if (shape === undefined || idle.has(index) || quarantined.includes(index)) return
  counts.released++
  try {
    index.initIndex(1)
  } catch {
    // Out of memory: hnswlib left no native index; the object is dropped.
    counts.dropped++
    return
  }
  const list = free.get(shape) ?? []
  if (list.length >= idleLimit) {
    counts.dropped++
    return
  }
  free.set(shape, list)
  list.push(index)
  idle.add(index)
  recycled.add(index)
}

/**
 * Keeps up to `count` idle objects per space and dimension from now on: a store
 * pool calls it with its cap. Never lowers the limit, since every pool in the
 * process shares the free lists.
 */
export const keepIdleIndexes = (count: number): void => {
  if (Number.isInteger(count) && count > idleLimit) idleLimit = count
}

/**
 * After a `readIndex` that failed once it had deleted the old index: a recycled
 * object is kept from ever being reused or collected; a new one held no native
 * index (hnswlib left it null), so it is released as usual.
 */
export const quarantineIndex = (index: HierarchicalNSW): void => {
  if (!recycled.has(index)) return releaseIndex(index)
  if (!quarantined.includes(index)) quarantined.push(index)
}

export interface RecyclerCounts {
  /** `new HierarchicalNSW` calls. */
  created: number
  /** Opens served by an idle object. */
  reused: number
  released: number
  /** Released objects not kept (free list full): collected by GC, each holding a shrunk index. */
  dropped: number
  /** Idle objects on the free lists now. */
  idle: number
  quarantined: number
}

export const recyclerCounts = (): RecyclerCounts => ({
  ...counts,
  idle: [...free.values()].reduce((sum, list) => sum + list.length, 0),
  quarantined: quarantined.length,
})
