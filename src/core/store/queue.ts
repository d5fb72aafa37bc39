/**
 * Runs async tasks one at a time, in call order. hnswlib-node writes a corrupt file
 * when `writeIndex` overlaps `addPoint`, and segfaults when `searchKnn` overlaps
 * `readIndex` on one object, so every operation on a store goes through one queue.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>
  /** Resolves once every task queued so far has settled. */
  drain(): Promise<void>
}

export const createSerialQueue = (): SerialQueue => {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task)
      tail = result.catch(() => undefined)
      return result
    },
    drain: () => tail.then(() => undefined),
  }
}
