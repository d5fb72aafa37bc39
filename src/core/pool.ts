/**
 * An LRU pool of open stores, keyed by whatever the caller opens by (a store dir),
 * bounded by memory and by count: the open stores' `footprint()` stays within
 * `maxBytes` and their number within `maxOpen`, least recently used evicted first;
 * stores idle for `idleMs` close. Thousands of small stores fit; a few large ones
 * cannot exhaust memory. A store is charged when it opens and again after each use
 * (a write may grow it); one store larger than the whole budget stays open alone.
 *
 * - Two concurrent `use` of a key not yet open share one `open`; a failed open is
 *   not cached (the next `use` tries again).
 * - Evicting an entry waits for its running uses before `close()`. While it waits
 *   the pool holds more than `maxOpen` stores for a moment: the alternative, making
 *   the newcomer wait for a slot, deadlocks when a use opens another key.
 * - Before each `fn`, a store another process changed (`isStale()`) is closed and
 *   reopened; uses still running on the old object finish on it first. With
 *   `freshMs`, a store found fresh less than `freshMs` ago (and nothing changed
 *   by this process since) is not checked again: the bounded staleness window.
 */
import { BusyError } from './errors.js'
import { localChangeEpoch } from './local-changes.js'
import type { VectorStore } from './store/types.js'

export interface StorePoolOptions {
  /** Most stores kept open. Default 64. */
  maxOpen?: number
  /** Most bytes (the sum of the open stores' `footprint()`) kept open. Default unbounded. */
  maxBytes?: number
  /** Close a store unused for this long. Default 300 000 ms; 0 = never. */
  idleMs?: number
  /**
   * Trust a store found fresh (opened, or `isStale()` false) this recently, unless
   * this process changed a store or an intent since (`local-changes.ts`): a change
   * by another process is then seen up to `freshMs` late. Default 0: check every use.
   */
  freshMs?: number
  open: (key: string, hints: OpenHints) => Promise<VectorStore>
}

/** What the use that opens a store asks of it (a store already open is used as it is). */
export interface OpenHints {
  /** The use needs no more than a lazily read store gives (`StoreOpenOptions.lazy`). */
  lazy: boolean
}

export interface UseOptions {
  /** Overrides the pool's `freshMs` for this use; 0 checks `isStale()` now (callers holding the scope lock). */
  freshMs?: number
  /** Open the store lazily if this use opens it (`StoreOpenOptions.lazy`). */
  lazy?: boolean
}

interface Handle {
  store: VectorStore
  users: number
  retired: boolean
  /** When (performance.now()) and at which local-change epoch the store was last found fresh. */
  freshAt: number
  freshEpoch: number
  /** A staleness check in flight, shared by the uses that trust a recent answer. */
  checking: Promise<boolean> | undefined
}

interface Entry {
  key: string
  handle: Handle | undefined
  opening: Promise<Handle> | undefined
  /** Uses in progress (opening included): what eviction waits for. */
  users: number
  idleWaiters: Array<() => void>
  timer: NodeJS.Timeout | undefined
  /** performance.now() when the last use ended. */
  lastUsed: number
  /** What the open store was last charged (its footprint); 0 while opening. */
  bytes: number
}

export class StorePool {
  private readonly maxOpen: number
  private readonly maxBytes: number
  /** Sum of the entries' `bytes`. */
  private charged = 0
  private readonly idleMs: number
  private readonly freshMs: number
  private readonly open: (key: string, hints: OpenHints) => Promise<VectorStore>
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>()
  private readonly closing = new Map<string, Promise<void>>()
  /** Closes in flight, including stores retired as stale, so closeAll can wait for them. */
  private readonly closes = new Set<Promise<void>>()
  private closed = false

  /**
   * @example
   * const pool = new StorePool({ maxOpen: 64, open: (dir) => openStore({ dir, dimension: 384 }) })
   * const hits = await pool.use(dir, (store) => store.search(vector, 5))
   * await pool.closeAll()
   */
  constructor(options: StorePoolOptions) {
    this.maxOpen = Math.max(1, options.maxOpen ?? 64)
    this.maxBytes = Math.max(0, options.maxBytes ?? Number.POSITIVE_INFINITY)
    this.idleMs = Math.max(0, options.idleMs ?? 300_000)
    this.freshMs = Math.max(0, options.freshMs ?? 0)
    this.open = options.open
  }

  get size(): number {
    return this.entries.size
  }

  /** Bytes the open stores were charged (the sum of their footprints at their last use). */
  get bytes(): number {
    return this.charged
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  isBusy(key: string): boolean {
    return (this.entries.get(key)?.users ?? 0) > 0
  }

  /** Runs `fn` with the open store for `key`, opening it (and evicting the LRU store) if needed. */
  async use<T>(key: string, fn: (store: VectorStore) => Promise<T>, options: UseOptions = {}): Promise<T> {
    // A key being evicted is reopened only after its old store is closed: never two objects on one dir here.
    for (let pending = this.closing.get(key); pending; pending = this.closing.get(key)) await pending.catch(() => undefined)
    if (this.closed) throw new BusyError('Shutting down: the store pool is closed.')
    const entry = this.touch(key)
    entry.users++
    try {
      this.enforceCap(key)
      const hints: OpenHints = { lazy: options.lazy === true }
      let handle = await this.acquire(entry, hints)
      handle.users++
      try {
        const freshMs = options.freshMs ?? this.freshMs
        if (!this.isFresh(handle, freshMs) && (await this.checkStale(handle, freshMs > 0))) {
          this.release(handle)
          void this.retire(entry, handle)
          handle = await this.acquire(entry, hints)
          handle.users++
        }
        return await fn(handle.store)
      } finally {
        this.release(handle)
        if (entry.handle === handle && this.entries.get(key) === entry) this.charge(entry, handle.store)
      }
    } finally {
      entry.users--
      if (entry.users === 0) this.settle(entry)
      if (this.charged > this.maxBytes) this.enforceCap(key)
    }
  }

  /** Removes `key` from the pool; waits for its running uses, then closes its store. */
  async evict(key: string): Promise<void> {
    const entry = this.entries.get(key)
    if (!entry) return this.closing.get(key)
    this.entries.delete(key)
    this.charged -= entry.bytes
    entry.bytes = 0
    clearTimeout(entry.timer)
    const done = (async () => {
      if (entry.users > 0) await new Promise<void>((resolve) => entry.idleWaiters.push(resolve))
      const handle = entry.handle ?? (await entry.opening?.catch(() => undefined))
      if (handle) await this.retire(entry, handle)
    })().finally(() => {
      if (this.closing.get(key) === done) this.closing.delete(key)
    })
    this.closing.set(key, done)
    return done
  }

  /** Graceful shutdown: waits for running uses, closes every store; later `use` calls are refused. */
  async closeAll(): Promise<void> {
    this.closed = true
    await Promise.all([...this.entries.keys()].map((key) => this.evict(key)))
    await Promise.all([...this.closing.values()])
    await Promise.all([...this.closes])
  }

  private touch(key: string): Entry {
    let entry = this.entries.get(key)
    if (entry) {
      this.entries.delete(key)
    } else {
      entry = { key, handle: undefined, opening: undefined, users: 0, idleWaiters: [], timer: undefined, lastUsed: 0, bytes: 0 }
    }
    this.entries.set(key, entry)
    return entry
  }

  private isFresh(handle: Handle, freshMs: number): boolean {
    return freshMs > 0 && handle.freshEpoch === localChangeEpoch() && performance.now() - handle.freshAt < freshMs
  }

  /** `isStale()`, recording a fresh answer; `share` joins a check already in flight (a use holding the scope lock never does). */
  private checkStale(handle: Handle, share: boolean): Promise<boolean> {
    if (share && handle.checking) return handle.checking
    const epoch = localChangeEpoch()
    const at = performance.now()
    const checking = handle.store.isStale().then((stale) => {
      if (!stale) {
        handle.freshAt = at
        handle.freshEpoch = epoch
      }
      return stale
    })
    handle.checking = checking
    const done = () => {
      if (handle.checking === checking) handle.checking = undefined
    }
    checking.then(done, done)
    return checking
  }

  private acquire(entry: Entry, hints: OpenHints): Promise<Handle> {
    if (entry.handle) return Promise.resolve(entry.handle)
    if (!entry.opening) {
      const epoch = localChangeEpoch()
      const at = performance.now()
      const opening = this.open(entry.key, hints).then(
        (store): Handle => {
          const handle: Handle = { store, users: 0, retired: false, freshAt: at, freshEpoch: epoch, checking: undefined }
          if (entry.opening === opening) {
            entry.opening = undefined
            entry.handle = handle
            if (this.entries.get(entry.key) === entry) this.charge(entry, store)
          }
          return handle
        },
        (error: unknown) => {
          // Not cached: the next use opens again; `settle` drops the empty entry.
          if (entry.opening === opening) entry.opening = undefined
          throw error
        },
      )
      entry.opening = opening
    }
    return entry.opening
  }

  private charge(entry: Entry, store: VectorStore): void {
    let bytes: number
    try {
      bytes = store.footprint()
    } catch {
      return // closed meanwhile: it is being evicted, and uncharged there
    }
    this.charged += bytes - entry.bytes
    entry.bytes = bytes
  }

  private release(handle: Handle): void {
    handle.users--
    if (handle.retired && handle.users === 0) void this.closeStore(handle.store)
  }

  /** Takes a handle out of service; its store closes once its last use ends. */
  private async retire(entry: Entry, handle: Handle): Promise<void> {
    if (entry.handle === handle) {
      entry.handle = undefined
      this.charged -= entry.bytes
      entry.bytes = 0
    }
    if (handle.retired) return
    handle.retired = true
    if (handle.users === 0) await this.closeStore(handle.store)
  }

  private closeStore(store: VectorStore): Promise<void> {
    // A store that fails to close is dropped all the same; its memory goes with the object.
    const done = store.close().catch(() => undefined)
    this.closes.add(done)
    return done.finally(() => this.closes.delete(done))
  }

  private settle(entry: Entry): void {
    for (const resolve of entry.idleWaiters.splice(0)) resolve()
    if (this.entries.get(entry.key) !== entry) return
    if (!entry.handle && !entry.opening) {
      this.entries.delete(entry.key)
      this.charged -= entry.bytes
      entry.bytes = 0
      return
    }
    if (this.idleMs > 0) {
      entry.lastUsed = performance.now()
      if (entry.timer === undefined) this.armIdleTimer(entry, this.idleMs)
    }
  }

  // One timer per entry, re-armed when it fires early, rather than a new timer per use.
  private armIdleTimer(entry: Entry, ms: number): void {
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      // In use: the use's settle arms it again.
      if (this.entries.get(entry.key) !== entry || entry.users > 0) return
      const idle = performance.now() - entry.lastUsed
      if (idle >= this.idleMs) void this.evict(entry.key)
      else this.armIdleTimer(entry, this.idleMs - idle)
    }, ms)
    entry.timer.unref()
  }

  /**
   * Evicts least recently used entries beyond the count cap (idle ones first, else
   * the oldest in use) and beyond the byte budget (idle ones only: evicting a store
   * in use frees nothing until its use ends).
   */
  private enforceCap(current: string): void {
    while (this.entries.size > this.maxOpen || this.charged > this.maxBytes) {
      let victim: Entry | undefined
      let busy: Entry | undefined
      for (const entry of this.entries.values()) {
        if (entry.key === current) continue
        if (entry.users === 0) {
          victim = entry
          break
        }
        busy ??= entry
      }
      victim ??= this.entries.size > this.maxOpen ? busy : undefined
      if (!victim) return
      void this.evict(victim.key)
    }
  }
}
