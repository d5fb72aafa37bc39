/**
 * Maps a stream with at most `limit` calls in flight and yields each result as it
 * settles (in no set order). The input is consumed lazily, so memory stays bounded by
 * `limit` whatever its length. The first failure stops the intake and is thrown once
 * the calls in flight have settled; a consumer that stops early waits for them too.
 *
 * @example
 * for await (const size of mapConcurrent(scanScopes(layout), 16, measure)) total += size
 */
export async function* mapConcurrent<T, R>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  type Settled = { call: Promise<Settled>; value?: R; error?: { error: unknown } }
  const running = new Set<Promise<Settled>>()
  const start = (item: T) => {
    const call: Promise<Settled> = fn(item).then(
      (value) => ({ call, value }),
      (error: unknown) => ({ call, error: { error } }),
    )
    running.add(call)
  }
  const iterator = items[Symbol.asyncIterator]()
  let exhausted = false
  let failure: { error: unknown } | undefined
  try {
    for (;;) {
      while (!exhausted && !failure && running.size < limit) {
        const next = await iterator.next()
        if (next.done) exhausted = true
        else start(next.value)
      }
      if (running.size === 0) break
      const settled = await Promise.race(running)
      running.delete(settled.call)
      if (settled.error) failure ??= settled.error
      else if (!failure) yield settled.value as R
    }
    if (failure) throw failure.error
  } finally {
    await Promise.allSettled(running)
    if (!exhausted) await iterator.return?.()
  }
}
