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
  let pending = 0
  const settle = () => {
    pending--
  }
  const start = <T>(task: () => Promise<T>): Promise<T> => {
    try {
      return task()
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      // An idle queue starts the task now: a search answers without waiting a turn for nothing.
      const result = pending === 0 ? start(task) : tail.then(task)
      pending++
      tail = result.then(settle, settle)
      return result
    },
    drain: () => tail.then(() => undefined),
  }
}
