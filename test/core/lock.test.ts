import { spawn } from 'node:child_process'
import { mkdir, readdir, rmdir, stat, symlink, utimes } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import { customScope } from '../../src/core/keys.js'
import { STALE_MS, assertLocksHeld, isLockedElsewhere, withScopeLock, withScopeLocks } from '../../src/core/lock.js'
import { LockedError, LockLostError, UnsafePathError } from '../../src/core/errors.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()

describe('scope locks', () => {
  it('lets one holder in and refuses a second one with a typed error', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user-1')
    await withScopeLock(layout, scope, async () => {
      await expect(withScopeLock(layout, scope, async () => 'second')).rejects.toThrow(LockedError)
    })
    expect(await withScopeLock(layout, scope, async () => 'after')).toBe('after')
  })

  it('waits for a held lock when asked to', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user-1')
    const order: string[] = []
    let held!: () => void
    let release!: () => void
    const isHeld = new Promise<void>((resolve) => (held = resolve))
    const released = new Promise<void>((resolve) => (release = resolve))
    const first = withScopeLock(layout, scope, async () => {
      held()
      await released
      order.push('first')
    })
    await isHeld
    // Asked while the lock is held (signalled, not slept for); the wait is generous so load cannot expire it.
    const second = withScopeLock(layout, scope, async () => order.push('second'), { waitMs: 60_000 })
    setTimeout(release, 50)
    await Promise.all([first, second])
    expect(order).toEqual(['first', 'second'])
  })

  it('locks several scopes in one fixed order', async () => {
    const layout = createLayout(await tempDir())
    const a = customScope('a')
    const b = customScope('b')
    const results = await Promise.allSettled([
      withScopeLocks(layout, [a, b], async () => 'ab', { waitMs: 3000 }),
      withScopeLocks(layout, [b, a], async () => 'ba', { waitMs: 3000 }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
  })

  it('sees a lock held by another process, and not its own', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user-1')
    await withScopeLock(layout, scope, async () => {
      expect(await isLockedElsewhere(layout, scope)).toBe(false)
    })
    await mkdir(`${layout.lockTarget(scope)}.lock`, { recursive: true })
    expect(await isLockedElsewhere(layout, scope)).toBe(true)
  })

  it('recovers a lock left by a SIGKILLed process', async () => {
    const root = await tempDir()
    const layout = createLayout(root)
    const scope = customScope('user-1')
    // A child takes the lock with proper-lockfile and is killed while holding it.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import lockfile from 'proper-lockfile'; import fs from 'node:fs';
         fs.mkdirSync(${JSON.stringify(layout.locksDir)}, { recursive: true });
         await lockfile.lock(${JSON.stringify(layout.lockTarget(scope))}, { realpath: false, stale: ${STALE_MS} });
         console.log('locked'); setInterval(() => {}, 1000);`,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    )
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()))
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    await expect(withScopeLock(layout, scope, async () => 'too soon')).rejects.toThrow(LockedError)
    // Age the dead holder's lock past the stale window instead of sleeping 10 s.
    const old = new Date(Date.now() - STALE_MS - 1000)
    await utimes(`${layout.lockTarget(scope)}.lock`, old, old)
    expect(await withScopeLock(layout, scope, async () => 'recovered')).toBe('recovered')
  })

  it('aborts a publish once another process took the lock over, and leaves the new owner its lock', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user-1')
    const lockDir = `${layout.lockTarget(scope)}.lock`
    const outcome = withScopeLock(layout, scope, async () => {
      await assertLocksHeld()
      // What a takeover does: the stale lock dir is removed and made again by its new owner.
      await rmdir(lockDir)
      await mkdir(lockDir)
      await assertLocksHeld()
      return 'published'
    })
    await expect(outcome).rejects.toThrow(LockLostError)
    expect((await stat(lockDir)).isDirectory()).toBe(true)
  })

  it('a lost lock no longer counts as held here: the scope reads as locked elsewhere, and a later write in this process cannot publish', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user-1')
    const lockDir = `${layout.lockTarget(scope)}.lock`
    let later: Promise<unknown> | undefined
    const outcome = withScopeLock(layout, scope, async () => {
      expect(await isLockedElsewhere(layout, scope)).toBe(false)
      // Another process takes the lock over while this holder is still running.
      await rmdir(lockDir)
      await mkdir(lockDir)
      expect(await isLockedElsewhere(layout, scope)).toBe(true)
      later = withScopeLock(layout, scope, async () => {
        await assertLocksHeld()
        return 'published'
      })
      await expect(later).rejects.toThrow(LockedError)
      return 'done'
    })
    await expect(outcome).rejects.toThrow(LockLostError)
    expect(later).toBeDefined()
    // The new owner's lock dir is left alone, and it still reads as someone else's.
    expect((await stat(lockDir)).isDirectory()).toBe(true)
    expect(await isLockedElsewhere(layout, scope)).toBe(true)
  })

  it('refuses to publish with a lock not refreshed for half the stale window', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user-1')
    const lockDir = `${layout.lockTarget(scope)}.lock`
    await expect(
      withScopeLock(layout, scope, async () => {
        const old = new Date(Date.now() - STALE_MS / 2 - 1000)
        await utimes(lockDir, old, old)
        await assertLocksHeld()
      }),
    ).rejects.toThrow(/not refreshed/)
  })

  it('does nothing outside a lock', async () => {
    await expect(assertLocksHeld()).resolves.toBeUndefined()
  })

  it.each(['.bento/locks', '.bento'])('refuses a symlinked %s: nothing is created or removed outside the data dir', async (link) => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    await mkdir(path.dirname(path.join(root, link)), { recursive: true })
    await symlink(outside, path.join(root, link))
    const layout = createLayout(root)
    await expect(withScopeLock(layout, customScope('user-1'), async () => 'locked')).rejects.toThrow(UnsafePathError)
    expect(await readdir(outside)).toEqual([])
  })
})
