/**
 * PGlite's one session taken in turns by the connections served on it, first
 * come first served: a connection keeps its turn from the first message of a
 * batch until the session is idle again (the end of its transaction).
 */
export class EngineTurns {
  /** The connection whose batch may have changed session state since the last reset (pglite-session-state.ts). */
  sessionChangedBy: object | undefined
  private busy = false
  private readonly waiting: Array<() => void> = []

  take(): Promise<void> {
    if (!this.busy) {
      this.busy = true
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  give(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.busy = false
  }
}
