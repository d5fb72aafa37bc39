/**
 * Scope locks on PGlite, where a transaction holds the one session: a writer
 * finding its scope locked gives up after `lockWaitMs` (locked) instead of
 * queueing behind the holder, and `isLockedElsewhere` answers while it is held.
 * The same on `postgres://` at a PGlite socket: the conformance suite.
 */
import { rm } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPgBackend, type PgBackend } from '../../../../src/core/backend/pg/pg-backend.js'
import { ScopeHolds } from '../../../../src/core/backend/pg/scope-holds.js'
import { parseDatabaseSpec } from '../../../../src/core/backend/pg/spec.js'
import { createLocalEmbedder } from '../../../../src/core/embeddings/local.js'
import { customScope } from '../../../../src/core/keys.js'
import { copyPgliteTemplate } from '../../../helpers/pg.js'

describe('ScopeHolds.giveUpAfter', () => {
  afterEach(() => void vi.useRealTimers())

  it('gives up only once the wait is over and a watched key is held, at once or when it is taken later', async () => {
    vi.useFakeTimers()
    const holds = new ScopeHolds()
    const outcome = (signal: Promise<never>) => signal.then(() => 'acquired', (error: Error) => error.message)
    holds.hold('a')
    const early = holds.giveUpAfter(['a'], 100, () => new Error('locked'))
    let settled = false
    void early.signal.catch(() => (settled = true))
    await vi.advanceTimersByTimeAsync(99)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await outcome(early.signal)).toBe('locked')

    holds.release('a')
    const late = holds.giveUpAfter(['a', 'b'], 100, () => new Error('locked late'))
    await vi.advanceTimersByTimeAsync(500)
    holds.hold('c')
    expect(holds.isHeld('a')).toBe(false)
    holds.hold('b')
    expect(await outcome(late.signal)).toBe('locked late')

    const stopped = holds.giveUpAfter(['b'], 100, () => new Error('never'))
    stopped.stop()
    await vi.advanceTimersByTimeAsync(500)
    holds.hold('b')
    let stoppedSettled = false
    void stopped.signal.catch(() => (stoppedSettled = true))
    await vi.advanceTimersByTimeAsync(0)
    expect(stoppedSettled).toBe(false)
  })
})

describe('pglite: scope locks', () => {
  let dir: string
  let backend: PgBackend
  beforeAll(async () => {
    dir = await copyPgliteTemplate()
    backend = await createPgBackend({ spec: parseDatabaseSpec(`pglite:${dir}`), embedder: createLocalEmbedder({ dimension: 16 }), poolSize: 3 })
  }, 120_000)
  afterAll(async () => {
    await backend?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('a writer on a held scope fails locked after lockWaitMs; isLockedElsewhere is true while held, false after', async () => {
    const scope = customScope('user-held')
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let holding!: () => void
    const held = new Promise<void>((resolve) => (holding = resolve))
    const holder = backend.withStore(scope, async () => {
      holding()
      await released
    }, { write: true })
    await held
    try {
      expect(await backend.isLockedElsewhere(scope)).toBe(true)
      await expect(backend.createConversation(scope, { lockWaitMs: 50 })).rejects.toMatchObject({ code: 'locked' })
      // A writer that would wait longer gets the scope once the holder commits.
      const waiting = backend.createConversation(scope, { lockWaitMs: 60_000 })
      release()
      await holder
      await waiting
    } finally {
      release()
      await holder
    }
    expect(await backend.isLockedElsewhere(scope)).toBe(false)
    expect(await backend.listConversations(scope)).toHaveLength(1)
  })
})
