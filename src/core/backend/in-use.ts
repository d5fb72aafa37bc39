/** Counts the calls running in this process per scope id: what cleanup must not pull the floor from under. */
export const createInUseCounter = () => {
  const running = new Map<string, number>()
  return {
    has: (id: string): boolean => running.has(id),
    async around<T>(id: string, call: () => Promise<T>): Promise<T> {
      running.set(id, (running.get(id) ?? 0) + 1)
      try {
        return await call()
      } finally {
        const count = (running.get(id) ?? 1) - 1
        if (count <= 0) running.delete(id)
        else running.set(id, count)
      }
    },
  }
}
