/**
 * Runs `fn` over a stream with at most `limit` calls in flight. Walking 100k
 * scopes is latency-bound (a few lstat and opendir per scope), so a handful in
 * parallel keeps libuv's threads busy; the stream is still consumed lazily, so
 * memory stays bounded by `limit`. The first failure stops the intake and is
 * thrown once the calls in flight have settled.
 *
 * A call that settles wakes the one waiter, instead of a `Promise.race` over every
 * call in flight per item (which grew each pending call's reactions with `limit`).
 */
export const forEachConcurrent = async <T>(items: AsyncIterable<T> | Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> => {
  let inFlight = 0
  let failure: { error: unknown } | undefined
  let wake: (() => void) | undefined
  const settle = () => {
    inFlight--
    const waiting = wake
    wake = undefined
    waiting?.()
  }
  const aCallSettled = () => new Promise<void>((resolve) => (wake = resolve))
  for await (const item of items) {
    if (failure) break
    const call = fn(item)
    inFlight++
    call.then(settle, (error: unknown) => {
      failure ??= { error }
      settle()
    })
    if (inFlight >= limit) await aCallSettled()
  }
  while (inFlight > 0) await aCallSettled()
  if (failure) throw failure.error
}
