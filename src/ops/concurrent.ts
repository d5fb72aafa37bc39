/**
 * Runs `fn` over a stream with at most `limit` calls in flight. Walking 100k
 * scopes is latency-bound (a few lstat and opendir per scope), so a handful in
 * parallel keeps libuv's threads busy; the stream is still consumed lazily, so
 * memory stays bounded by `limit`. The first failure stops the intake and is
 * thrown once the calls in flight have settled.
 */
export const forEachConcurrent = async <T>(items: AsyncIterable<T> | Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> => {
  const running = new Set<Promise<void>>()
  let failure: { error: unknown } | undefined
  for await (const item of items) {
    if (failure) break
    const call: Promise<void> = fn(item)
      .catch((error: unknown) => {
        failure ??= { error }
      })
      .finally(() => running.delete(call))
    running.add(call)
    if (running.size >= limit) await Promise.race(running)
  }
  await Promise.all(running)
  if (failure) throw failure.error
}
