/**
 * Maps a stream with at most `limit` calls in flight and yields each result as it
 * settles (in no set order). The input is consumed lazily, so memory stays bounded by
 * `limit` whatever its length. The first failure stops the intake and is thrown once
 * the calls in flight have settled; a consumer that stops early waits for them too.
 *
 * Each call reports to a queue as it settles, rather than racing all calls in flight
 * each time one is needed: a `Promise.race` over 64 calls per result cost more CPU
 * than the walk it waited for on 10k small scopes (figures: docs/BENCHMARKS.md).
 *
 * @example
 * for await (const size of mapConcurrent(scanScopes(layout), 16, measure)) total += size
 */
export async function* mapConcurrent<T, R>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  type Settled = { value: R } | { error: unknown }
  let settled: Settled[] = []
  let inFlight = 0
  let wake: (() => void) | undefined
  const report = (outcome: Settled) => {
    settled.push(outcome)
    const waiting = wake
    wake = undefined
    waiting?.()
  }
  const nextSettled = () => new Promise<void>((resolve) => (wake = resolve))
  const iterator = items[Symbol.asyncIterator]()
  let exhausted = false
  let failure: { error: unknown } | undefined
  try {
    for (;;) {
      while (!exhausted && !failure && inFlight < limit) {
        const next = await iterator.next()
        if (next.done) exhausted = true
        else {
          const call = fn(next.value)
          inFlight++
          call.then((value) => report({ value }), (error: unknown) => report({ error }))
        }
      }
      if (inFlight === 0) break
      if (settled.length === 0) await nextSettled()
      const batch = settled
      settled = []
      inFlight -= batch.length
      for (const outcome of batch) {
        if ('error' in outcome) failure ??= { error: outcome.error }
        else if (!failure) yield outcome.value
      }
    }
    if (failure) throw failure.error
  } finally {
    while (inFlight > 0) {
      if (settled.length === 0) await nextSettled()
      inFlight -= settled.length
      settled = []
    }
    if (!exhausted) await iterator.return?.()
  }
}
