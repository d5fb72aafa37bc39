import { cp, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { noteLocalChange } from '../../src/core/local-changes.js'
import { StorePool } from '../../src/core/pool.js'
import { openStore } from '../../src/core/store/index.js'
import type { VectorStore } from '../../src/core/store/types.js'
import { axis, chunk, makeTempDir, removeDir } from './store/support.js'

const DIM = 4
let root: string
let opens: string[]
let closes: string[]
let failNextOpen: boolean

/** Real stores in real dirs, with opens and closes recorded. */
const openCounted = async (key: string): Promise<VectorStore> => {
  opens.push(key)
  if (failNextOpen) {
    failNextOpen = false
    throw new Error(`cannot open ${key}`)
  }
  const store = await openStore({ dir: path.join(root, key), dimension: DIM })
  const close = store.close.bind(store)
  store.close = async () => {
    closes.push(key)
    await close()
  }
  return store
}

const gate = () => {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 10))

beforeEach(async () => {
  root = await makeTempDir('bento-pool-')
  opens = []
  closes = []
  failNextOpen = false
})
afterEach(() => removeDir(root))

describe('StorePool memory budget: a count cap alone let a few large stores exhaust memory, and kept thousands of small ones from staying open', () => {
  /** A store whose footprint the test sets (real store underneath). */
  const sized = (bytes: Record<string, number>) => async (key: string): Promise<VectorStore> => {
    const store = await openCounted(key)
    store.footprint = () => bytes[key] ?? 1000
    return store
  }

  it('keeps many small stores open within the budget, and evicts least recently used ones when a large store comes', async () => {
    const bytes: Record<string, number> = { big: 6000 }
    const pool = new StorePool({ maxOpen: 1000, maxBytes: 10_000, idleMs: 0, open: sized(bytes) })
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) await pool.use(key, async (store) => store.stats())
    expect(pool.size).toBe(10)
    expect(pool.bytes).toBe(10_000)
    await pool.use('big', async (store) => store.stats())
    await tick()
    // 6000 + 4 × 1000: the six oldest small stores went, the newest stayed.
    expect(pool.bytes).toBeLessThanOrEqual(10_000)
    expect(['a', 'b', 'c', 'd', 'e', 'f'].every((key) => !pool.has(key))).toBe(true)
    expect(['g', 'h', 'i', 'j', 'big'].every((key) => pool.has(key))).toBe(true)
    expect(closes.sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    await pool.closeAll()
    expect(pool.bytes).toBe(0)
  })

  it('charges a store again after a use that grew it', async () => {
    const bytes: Record<string, number> = {}
    const pool = new StorePool({ maxOpen: 1000, maxBytes: 5000, idleMs: 0, open: sized(bytes) })
    for (const key of ['a', 'b', 'c']) await pool.use(key, async (store) => store.stats())
    expect(pool.bytes).toBe(3000)
    await pool.use('c', async () => {
      bytes.c = 4500 // an add grew it
    })
    await tick()
    expect(pool.has('c')).toBe(true)
    expect(pool.has('a') || pool.has('b')).toBe(false)
    expect(pool.bytes).toBe(4500)
    await pool.closeAll()
  })

  it('keeps one store larger than the whole budget open alone rather than refusing it', async () => {
    const pool = new StorePool({ maxOpen: 1000, maxBytes: 5000, idleMs: 0, open: sized({ huge: 50_000 }) })
    await pool.use('a', async (store) => store.stats())
    expect(await pool.use('huge', async (store) => store.stats().live)).toBe(0)
    await tick()
    expect(pool.has('a')).toBe(false)
    expect(pool.has('huge')).toBe(true)
    await pool.closeAll()
  })

  it('still honours the count cap within the budget', async () => {
    const pool = new StorePool({ maxOpen: 2, maxBytes: 1e12, idleMs: 0, open: sized({}) })
    for (const key of ['a', 'b', 'c']) await pool.use(key, async (store) => store.stats())
    expect(pool.size).toBe(2)
    await pool.closeAll()
  })
})

describe('StorePool', () => {
  it('keeps at most maxOpen stores, evicting the least recently used', async () => {
    const pool = new StorePool({ maxOpen: 2, idleMs: 0, open: openCounted })
    for (const key of ['a', 'b', 'a', 'c', 'd']) {
      await pool.use(key, async (store) => store.stats())
      expect(pool.size).toBeLessThanOrEqual(2)
    }
    await pool.evict('none')
    await tick()
    expect(opens).toEqual(['a', 'b', 'c', 'd'])
    expect(closes.sort()).toEqual(['a', 'b'])
    expect([pool.has('a'), pool.has('b'), pool.has('c'), pool.has('d')]).toEqual([false, false, true, true])
    await pool.closeAll()
    expect(closes.sort()).toEqual(['a', 'b', 'c', 'd'])
  })

  it('shares one open between concurrent uses of a key not yet open', async () => {
    const pool = new StorePool({ open: openCounted })
    const stores = await Promise.all([1, 2, 3].map(() => pool.use('a', async (store) => store)))
    expect(opens).toEqual(['a'])
    expect(new Set(stores).size).toBe(1)
    await pool.closeAll()
  })

  it('waits for running uses before closing an evicted store (exceeding the cap meanwhile)', async () => {
    const pool = new StorePool({ maxOpen: 1, idleMs: 0, open: openCounted })
    const held = gate()
    const running = pool.use('a', async (store) => {
      await held.promise
      return store.search(axis(DIM, 0), 1)
    })
    await tick()
    expect(pool.isBusy('a')).toBe(true)
    await pool.use('b', async (store) => store.stats())
    expect(pool.has('a')).toBe(false)
    expect(closes).toEqual([])
    const evicting = pool.evict('a')
    held.open()
    await expect(running).resolves.toEqual([])
    await evicting
    expect(closes).toEqual(['a'])
    // Reusing an evicted key opens a fresh store.
    await pool.use('a', async (store) => store.stats())
    expect(opens).toEqual(['a', 'b', 'a'])
    await pool.closeAll()
  })

  it('closes a store left idle for idleMs, and none when idleMs is 0', async () => {
    const pool = new StorePool({ idleMs: 40, open: openCounted })
    await pool.use('a', async (store) => store.stats())
    expect(pool.has('a')).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(pool.has('a')).toBe(false)
    expect(closes).toEqual(['a'])

    const keep = new StorePool({ idleMs: 0, open: openCounted })
    await keep.use('b', async (store) => store.stats())
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(keep.has('b')).toBe(true)
    await keep.closeAll()
  })

  it('reopens a store another object changed on disk', async () => {
    const pool = new StorePool({ idleMs: 0, open: openCounted })
    expect(await pool.use('a', async (store) => store.stats().live)).toBe(0)
    const other = await openStore({ dir: path.join(root, 'a'), dimension: DIM })
    await other.add([chunk('x', 0, axis(DIM, 0))])
    await other.close()
    expect(await pool.use('a', async (store) => store.listDocuments().map((d) => d.id))).toEqual(['x'])
    await tick()
    expect(opens).toEqual(['a', 'a'])
    expect(closes).toEqual(['a'])
    await pool.closeAll()
  })

  it('does not cache a failed open', async () => {
    const pool = new StorePool({ open: openCounted })
    failNextOpen = true
    await expect(pool.use('a', async (store) => store.stats())).rejects.toThrow('cannot open a')
    expect(pool.has('a')).toBe(false)
    expect(pool.size).toBe(0)
    expect(await pool.use('a', async (store) => store.stats().live)).toBe(0)
    expect(opens).toEqual(['a', 'a'])
    await pool.closeAll()
  })

  it('closeAll waits for running uses, closes everything, then refuses new uses', async () => {
    const pool = new StorePool({ open: openCounted })
    const held = gate()
    const running = pool.use('a', async () => held.promise.then(() => 'done'))
    await pool.use('b', async (store) => store.stats())
    await tick()
    const closing = pool.closeAll()
    await tick()
    expect(closes).toEqual(['b'])
    held.open()
    await closing
    await expect(running).resolves.toBe('done')
    expect(closes.sort()).toEqual(['a', 'b'])
    await expect(pool.use('a', async () => 1)).rejects.toMatchObject({ code: 'busy' })
  })

  it('passes fn errors through and stays usable', async () => {
    const pool = new StorePool({ open: openCounted })
    await expect(pool.use('a', async () => { throw new Error('fn failed') })).rejects.toThrow('fn failed')
    expect(pool.isBusy('a')).toBe(false)
    expect(await pool.use('a', async () => 'ok')).toBe('ok')
    expect(opens).toEqual(['a'])
    await pool.closeAll()
  })
})

describe('StorePool freshness window', () => {
  /** Counts isStale() calls on every store the pool opens. */
  const counting = () => {
    const checks = { count: 0 }
    const open = async (key: string) => {
      const store = await openCounted(key)
      const isStale = store.isStale.bind(store)
      store.isStale = () => {
        checks.count++
        return isStale()
      }
      return store
    }
    return { checks, open }
  }

  /** A copy of the store with one more document; `apply` swaps it in as another process's commit would, unnoticed here. */
  const prepareCommitElsewhere = async (key: string, documentId: string) => {
    const draft = path.join(root, `draft-${documentId}`)
    await cp(path.join(root, key), draft, { recursive: true })
    const other = await openStore({ dir: draft, dimension: DIM })
    await other.add([chunk(documentId, 0, axis(DIM, 1))])
    await other.close()
    return async () => {
      await rm(path.join(root, key), { recursive: true })
      await rename(draft, path.join(root, key))
    }
  }

  it('trusts a check younger than freshMs; sees this process\'s own changes at once and another\'s when asked', async () => {
    const { checks, open } = counting()
    const pool = new StorePool({ idleMs: 0, freshMs: 60_000, open })
    const ids = () => pool.use('a', async (store) => store.listDocuments().map((d) => d.id).sort())
    const seed = await openStore({ dir: path.join(root, 'a'), dimension: DIM })
    await seed.add([chunk('x', 0, axis(DIM, 0))])
    await seed.close() // a commit by this process: noted, so nothing cached before it is trusted
    expect(await ids()).toEqual(['x'])
    expect(await ids()).toEqual(['x'])
    expect(checks.count).toBe(0) // found fresh when opened

    const local = await openStore({ dir: path.join(root, 'a'), dimension: DIM })
    await local.add([chunk('y', 0, axis(DIM, 2))])
    await local.close()
    expect(await ids()).toEqual(['x', 'y'])
    expect(checks.count).toBe(1)

    const apply = await prepareCommitElsewhere('a', 'z')
    expect(await pool.use('a', async (store) => store.listDocuments().length, { freshMs: 0 })).toBe(2)
    await apply()
    expect(await ids()).toEqual(['x', 'y']) // within the window: the last answer
    expect(await pool.use('a', async (store) => store.listDocuments().length, { freshMs: 0 })).toBe(3)
    expect(await ids()).toEqual(['x', 'y', 'z'])
    await pool.closeAll()
  })

  it('shares one staleness check between concurrent uses once the last answer is void', async () => {
    const { checks, open } = counting()
    const pool = new StorePool({ idleMs: 0, freshMs: 60_000, open })
    await pool.use('a', async (store) => store.stats())
    noteLocalChange()
    await Promise.all(Array.from({ length: 6 }, () => pool.use('a', async (store) => store.stats())))
    expect(checks.count).toBe(1)
    await pool.closeAll()
  })

  it('checks every use by default', async () => {
    const { checks, open } = counting()
    const pool = new StorePool({ idleMs: 0, open })
    for (let i = 0; i < 3; i++) await pool.use('a', async (store) => store.stats())
    expect(checks.count).toBe(3)
    await pool.closeAll()
  })
})
