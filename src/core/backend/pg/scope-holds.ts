/**
 * The scope locks this process's transactions hold, per database, known without
 * asking the database.
 *
 * On PGlite one transaction holds the only session until it ends: a second
 * writer's BEGIN, and any query asking whether the scope is locked, waits behind
 * it however long it runs. So the writer cannot wait `lockWaitMs` on the lock
 * itself as on PostgreSQL (lock_timeout); instead it gives up its place in the
 * queue once it has waited `lockWaitMs` and the scope is held here (pglite: and
 * the test databases serve PGlite in the process that uses it). On PostgreSQL the
 * same bookkeeping is harmless: BEGIN does not wait, and lock_timeout decides.
 */
export class ScopeHolds {
  private readonly held = new Map<string, number>()
  private readonly onHold = new Set<(key: string) => void>()

  isHeld(key: string): boolean {
    return this.held.has(key)
  }

  hold(key: string): void {
    this.held.set(key, (this.held.get(key) ?? 0) + 1)
    for (const listener of this.onHold) listener(key)
  }

  release(key: string): void {
    const count = (this.held.get(key) ?? 0) - 1
    if (count > 0) this.held.set(key, count)
    else this.held.delete(key)
  }

  /**
   * Rejects with `locked()` once `waitMs` has passed and one of `keys` is held
   * here (at that moment or later); `stop()` once the caller has the session.
   */
  giveUpAfter(keys: readonly string[], waitMs: number, locked: () => Error): { readonly signal: Promise<never>; stop(): void } {
    let reject!: (error: Error) => void
    const signal = new Promise<never>((_, fail) => (reject = fail))
    signal.catch(() => undefined)
    let late = false
    const heldNow = () => keys.some((key) => this.held.has(key))
    const listener = (key: string) => {
      if (late && keys.includes(key)) fail()
    }
    const timer = setTimeout(() => {
      late = true
      if (heldNow()) fail()
    }, Math.max(0, waitMs))
    const stop = () => {
      clearTimeout(timer)
      this.onHold.delete(listener)
    }
    const fail = () => {
      stop()
      reject(locked())
    }
    this.onHold.add(listener)
    return { signal, stop }
  }
}

const byDatabase = new Map<string, ScopeHolds>()

/** The one registry of this process for a database (its spec, as `describeSpec` prints it). */
export const scopeHoldsOf = (database: string): ScopeHolds => {
  let holds = byDatabase.get(database)
  if (!holds) byDatabase.set(database, (holds = new ScopeHolds()))
  return holds
}
