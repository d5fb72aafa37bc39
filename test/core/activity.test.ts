import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createActivityTracker } from '../../src/core/activity.js'
import { setFaultInjector } from '../../src/core/faults.js'
import { createLayout } from '../../src/core/layout.js'
import { customScope } from '../../src/core/keys.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()

const setup = async () => {
  const layout = createLayout(await tempDir())
  const scope = customScope('user-1')
  await mkdir(layout.vectorsDir(scope), { recursive: true })
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const writes: string[] = []
  setFaultInjector((op, p) => {
    if (op === 'writeFile' && p.includes('activity.json')) writes.push(p)
    return undefined
  })
  const tracker = createActivityTracker({ layout, coalesceMs: 60_000, now: () => clock })
  const advance = (ms: number) => {
    clock += ms
  }
  const read = async () => JSON.parse(await readFile(layout.activityFile(scope), 'utf8')) as { createdAt: string; lastActiveAt: string }
  return { layout, scope, tracker, advance, writes, read, now: () => clock }
}

describe('activity', () => {
  it('writes the first touch at once and coalesces the following ones', async () => {
    const { scope, tracker, advance, writes, read, now } = await setup()
    try {
      tracker.touch(scope)
      await tracker.flush()
      const first = now()
      expect(await read()).toEqual({ createdAt: new Date(first).toISOString(), lastActiveAt: new Date(first).toISOString() })
      const afterFirst = writes.length
      for (let i = 0; i < 20; i++) {
        advance(1000)
        tracker.touch(scope)
      }
      await tracker.record(scope) // resolves after the queued touches too
      expect(writes.length).toBe(afterFirst) // 20 touches within the window: no write
      expect((await tracker.lastActiveAt(scope))?.getTime()).toBe(now()) // but this process knows
      advance(60_000)
      await tracker.record(scope) // the persisted value is now older than the window
      expect(writes.length).toBe(afterFirst + 1)
      expect(await read()).toEqual({ createdAt: new Date(first).toISOString(), lastActiveAt: new Date(now()).toISOString() })
    } finally {
      setFaultInjector(undefined)
    }
  })

  it('flushes pending touches on close', async () => {
    const { scope, tracker, advance, read, now } = await setup()
    try {
      tracker.touch(scope)
      await tracker.flush()
      advance(5000)
      tracker.touch(scope)
      await tracker.flush()
      expect((await read()).lastActiveAt).toBe(new Date(now()).toISOString())
    } finally {
      setFaultInjector(undefined)
    }
  })

  it('never creates a scope by touching it', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('ghost')
    const tracker = createActivityTracker({ layout })
    tracker.touch(scope)
    await tracker.flush()
    await expect(stat(layout.vectorsDir(scope))).rejects.toThrow(/ENOENT/)
  })

  it('falls back to the newest mtime of the dirs and their top-level entries', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('legacy')
    await mkdir(layout.vectorsDir(scope), { recursive: true })
    await mkdir(layout.uploadsDir(scope), { recursive: true })
    const file = path.join(layout.uploadsDir(scope), 'doc.txt')
    await writeFile(file, 'x')
    const old = new Date('2025-01-01T00:00:00Z')
    const newer = new Date('2025-06-01T00:00:00Z')
    await utimes(layout.vectorsDir(scope), old, old)
    await utimes(file, newer, newer)
    await utimes(layout.uploadsDir(scope), old, old)
    const tracker = createActivityTracker({ layout })
    expect((await tracker.lastActiveAt(scope))?.toISOString()).toBe(newer.toISOString())
    expect((await tracker.createdAt(scope))?.toISOString()).toBe(old.toISOString())
    expect(await tracker.lastActiveAt(customScope('none'))).toBeUndefined()
  })

  it('sees touches another process persisted', async () => {
    const { layout, scope, tracker } = await setup()
    try {
      const other = createActivityTracker({ layout, now: () => Date.parse('2030-01-01T00:00:00Z') })
      tracker.touch(scope)
      await tracker.flush()
      other.touch(scope)
      await other.flush()
      expect((await tracker.lastActiveAt(scope))?.toISOString()).toBe('2030-01-01T00:00:00.000Z')
    } finally {
      setFaultInjector(undefined)
    }
  })

  it('reports a failed write instead of throwing at the caller', async () => {
    const { scope, layout } = await setup()
    const errors: unknown[] = []
    setFaultInjector((op) => (op === 'writeFile' ? Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }) : undefined))
    try {
      const tracker = createActivityTracker({ layout, onError: (error) => errors.push(error) })
      tracker.touch(scope)
      await tracker.flush()
      expect(errors.length).toBeGreaterThan(0)
    } finally {
      setFaultInjector(undefined)
    }
  })
})
