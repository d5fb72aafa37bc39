import { spawn } from 'node:child_process'
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { STALE_MS } from '../../src/core/lock.js'
import { customScope, sessionScope, sharedScope } from '../../src/core/keys.js'
import type { Scope } from '../../src/core/keys.js'
import type { Layout } from '../../src/core/layout.js'
import { applyCleanup, cleanupExpiredSessions, planCleanup } from '../../src/ops/cleanup.js'
import { createFsBackend } from '../../src/core/backend/index.js'
import { createLocalEmbedder } from '../../src/core/embeddings/index.js'
import { useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt } = useBackendFixtures()

const HOUR = 3600_000
const NOW = Date.parse('2026-03-01T12:00:00Z')

const session = (n: number) => sessionScope(n.toString(16).padStart(32, '0'))

/** A scope with a file in each tree and an activity record `ageMs` before NOW. */
const makeScope = async (layout: Layout, scope: Scope, ageMs: number) => {
  await mkdir(layout.vectorsDir(scope), { recursive: true })
  await mkdir(path.join(layout.uploadsDir(scope), 'doc_1'), { recursive: true })
  await writeFile(path.join(layout.uploadsDir(scope), 'doc_1', 'a.txt'), 'uploaded')
  const at = new Date(NOW - ageMs).toISOString()
  await writeFile(layout.activityFile(scope), JSON.stringify({ createdAt: at, lastActiveAt: at }))
}

const exists = async (p: string) => readdir(path.dirname(p)).then((names) => names.includes(path.basename(p)), () => false)

describe('cleanup', () => {
  it('removes sessions inactive longer than the age, keeps younger ones, custom scopes and shared', async () => {
    const root = await tempDir()
    const backend = backendAt(root)
    const { layout } = backend
    await makeScope(layout, session(1), 48 * HOUR)
    await makeScope(layout, session(2), 25 * HOUR)
    await makeScope(layout, session(3), 1 * HOUR)
    await makeScope(layout, customScope('user-old'), 90 * 24 * HOUR)
    await makeScope(layout, sharedScope(), 365 * 24 * HOUR)
    const plan = await planCleanup(backend, { olderThanMs: 24 * HOUR, now: NOW })
    expect(plan.targets.map((t) => t.dir).sort()).toEqual([session(1).dir, session(2).dir])
    expect(plan.result.dryRun).toBe(true)
    expect(plan.result.freedBytes).toBe(plan.targets.reduce((sum, t) => sum + t.bytes, 0))
    expect(plan.targets.every((t) => t.bytes > 0)).toBe(true)
    const dry = await applyCleanup(backend, plan, { dryRun: true })
    expect(dry).toEqual(plan.result)
    expect(await exists(layout.vectorsDir(session(1)))).toBe(true) // a dry run changed nothing

    const result = await applyCleanup(backend, plan)
    expect(result.removed.map((r) => r.dir).sort()).toEqual(plan.result.removed.map((r) => r.dir).sort())
    expect(result.freedBytes).toBe(plan.result.freedBytes)
    for (const n of [1, 2]) {
      expect(await exists(layout.vectorsDir(session(n)))).toBe(false)
      expect(await exists(layout.uploadsDir(session(n)))).toBe(false)
    }
    expect(await exists(layout.vectorsDir(session(3)))).toBe(true)
    expect(await exists(layout.vectorsDir(customScope('user-old')))).toBe(true)
    expect(await exists(layout.vectorsDir(sharedScope()))).toBe(true)
    expect(await readdir(layout.trashDir)).toEqual([])
    expect(await readdir(layout.journalDir)).toEqual([])
  })

  it('adds custom scopes only when asked, and shared only when named', async () => {
    const backend = backendAt(await tempDir())
    const { layout } = backend
    await makeScope(layout, customScope('user-old'), 90 * 24 * HOUR)
    await makeScope(layout, sharedScope(), 90 * 24 * HOUR)
    const withCustom = await planCleanup(backend, { olderThanMs: HOUR, kinds: ['session', 'custom'], now: NOW })
    expect(withCustom.targets.map((t) => t.key)).toEqual(['user-old'])
    const sharedByKind = await planCleanup(backend, { olderThanMs: HOUR, kinds: ['shared', 'session', 'custom'], now: NOW })
    expect(sharedByKind.targets.map((t) => t.key)).toEqual(['user-old'])
    const named = await planCleanup(backend, { olderThanMs: HOUR, scopes: [sharedScope()], now: NOW })
    expect(named.targets.map((t) => t.key)).toEqual(['shared'])
    await applyCleanup(backend, named)
    expect(await exists(layout.vectorsDir(sharedScope()))).toBe(false)
  })

  it('reports a named scope that does not exist as skipped "not found", and still removes the ones that do', async () => {
    const backend = backendAt(await tempDir())
    const { layout } = backend
    await makeScope(layout, customScope('user-old'), 90 * 24 * HOUR)
    const plan = await planCleanup(backend, { olderThanMs: HOUR, scopes: [customScope('user-typo'), customScope('user-old'), session(9)], now: NOW })
    expect(plan.targets.map((t) => t.key)).toEqual(['user-old'])
    expect(plan.skipped).toEqual([
      { key: 'user-typo', dir: 'user-typo', reason: 'not found' },
      { key: session(9).key, dir: session(9).dir, reason: 'not found' },
    ])
    const result = await applyCleanup(backend, plan)
    expect(result.removed.map((row) => row.key)).toEqual(['user-old'])
    expect(result.skipped.map((row) => [row.key, row.reason])).toEqual([['user-typo', 'not found'], [session(9).key, 'not found']])
    // By kind, absent scopes are simply not candidates: nothing to report.
    expect((await planCleanup(backend, { olderThanMs: HOUR, kinds: ['session', 'custom'], now: NOW })).skipped).toEqual([])
  })

  it('removes many scopes at once and reports them in plan order with the bytes the plan measured', async () => {
    const root = await tempDir()
    const backend = backendAt(root)
    const { layout } = backend
    for (let n = 1; n <= 20; n++) await makeScope(layout, session(n), (24 + n) * HOUR)
    await makeScope(layout, session(99), HOUR)
    const plan = await planCleanup(backend, { olderThanMs: 24 * HOUR, now: NOW })
    expect(plan.targets).toHaveLength(20)
    const result = await applyCleanup(backend, plan)
    expect(result.removed).toEqual(plan.result.removed)
    expect(result.freedBytes).toBe(plan.result.freedBytes)
    expect(result.skipped).toEqual([])
    expect(await readdir(layout.isolatedDir('vectors'))).toEqual([session(99).dir])
    expect(await readdir(layout.isolatedDir('uploads'))).toEqual([session(99).dir])
    expect(await readdir(path.join(root, '.bento', 'journal')).catch(() => [])).toEqual([])
    expect(await readdir(path.join(root, '.bento', 'trash')).catch(() => [])).toEqual([])
  })

  it('re-checks inactivity under the lock: a scope used since planning is kept', async () => {
    const backend = backendAt(await tempDir())
    const scope = session(7)
    await makeScope(backend.layout, scope, 48 * HOUR)
    const plan = await planCleanup(backend, { olderThanMs: 24 * HOUR })
    expect(plan.targets).toHaveLength(1)
    backend.touch(scope)
    const result = await applyCleanup(backend, plan)
    expect(result.removed).toEqual([])
    expect(result.skipped).toEqual([{ key: scope.key, dir: scope.dir, reason: 'active again since planning' }])
    expect(await exists(backend.layout.vectorsDir(scope))).toBe(true)
  })

  it('skips a scope in use in this process and one locked by another process', async () => {
    const root = await tempDir()
    const backend = backendAt(root)
    const busy = session(1)
    const locked = session(2)
    await makeScope(backend.layout, busy, 48 * HOUR)
    await makeScope(backend.layout, locked, 48 * HOUR)
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import lockfile from 'proper-lockfile'; import fs from 'node:fs';
      fs.mkdirSync(${JSON.stringify(backend.layout.locksDir)}, { recursive: true });
      await lockfile.lock(${JSON.stringify(backend.layout.lockTarget(locked))}, { realpath: false, stale: ${STALE_MS} });
      console.log('locked'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()))
      const result = await backend.withStore(busy, async () => {
        const plan = await planCleanup(backend, { olderThanMs: 24 * HOUR })
        return applyCleanup(backend, plan)
      })
      expect(result.removed).toEqual([])
      expect(result.skipped.map((s) => [s.dir, s.reason]).sort()).toEqual([
        [busy.dir, 'in use in this process'],
        [locked.dir, 'locked by another process'],
      ].sort())
    } finally {
      child.kill('SIGKILL')
    }
    expect(await exists(backend.layout.vectorsDir(busy))).toBe(true)
    const later = await cleanupExpiredSessions(backend, { ttlMs: 24 * HOUR })
    expect(later.removed.map((r) => r.dir)).toContain(busy.dir)
  })

  it('never follows a symlinked scope dir or a link inside a scope', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    const sentinel = path.join(outside, 'sentinel.txt')
    await writeFile(sentinel, 'must survive')
    const backend = backendAt(root)
    const { layout } = backend
    const victim = session(9)
    await makeScope(layout, victim, 48 * HOUR)
    await symlink(sentinel, path.join(layout.uploadsDir(victim), 'doc_1', 'link.txt'))
    await symlink(outside, path.join(layout.isolatedDir('vectors'), `session-${'e'.repeat(32)}`))
    await symlink(outside, path.join(layout.isolatedDir('uploads'), 'evil'))
    const old = new Date(NOW - 48 * HOUR).toISOString()
    await writeFile(path.join(outside, 'activity.json'), JSON.stringify({ createdAt: old, lastActiveAt: old }))
    const result = await cleanupExpiredSessions(backend, { ttlMs: 24 * HOUR, now: NOW })
    expect(result.removed.map((r) => r.dir)).toEqual([victim.dir])
    expect(await readFile(sentinel, 'utf8')).toBe('must survive')
    expect((await readdir(outside)).sort()).toEqual(['activity.json', 'sentinel.txt'])
  })

  it('never removes a session used within the activity window (its record lags by up to the window)', async () => {
    const root = await tempDir()
    // A server recorded the session's activity at NOW and used it again at NOW + 55 s: coalesced, not recorded.
    // Another process's cleanup --older-than 30s at NOW + 60 s must not take it.
    const live = session(1)
    const idle = session(2)
    const seed = backendAt(root)
    await makeScope(seed.layout, live, 0)
    await makeScope(seed.layout, idle, 2 * 60_000 + 30_000)
    let clock = NOW + 60_000
    const cli = createFsBackend({ dataDir: root, embedder: createLocalEmbedder({ dimension: 64 }), now: () => clock })
    try {
      expect(cli.activityWindowMs).toBe(60_000)
      const plan = await planCleanup(cli, { olderThanMs: 30_000, now: clock })
      expect(plan.cutoff).toBe(new Date(NOW - 30_000).toISOString())
      expect(plan.targets.map((t) => t.dir)).toEqual([idle.dir])
      expect(plan.result).toMatchObject({ activityWindowMs: 60_000, cutoff: plan.cutoff })
      const result = await applyCleanup(cli, plan)
      expect(result.removed.map((r) => r.dir)).toEqual([idle.dir])
      expect(await exists(seed.layout.vectorsDir(live))).toBe(true)
      // The server's periodic sweep judges the same way.
      expect((await cleanupExpiredSessions(cli, { ttlMs: 30_000, now: clock })).removed).toEqual([])
      clock = NOW + 90_001
      expect((await cleanupExpiredSessions(cli, { ttlMs: 30_000, now: clock })).removed.map((r) => r.dir)).toEqual([live.dir])
    } finally {
      await cli.close()
    }
  })

  it('one planted link does not block all cleanup: that scope is skipped and reported, the others removed, nothing outside touched', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'sentinel.txt'), 'must survive')
    const backend = backendAt(root)
    const { layout } = backend
    const planted = session(1)
    const clean = session(2)
    await makeScope(layout, planted, 48 * HOUR)
    await makeScope(layout, clean, 48 * HOUR)
    // The planted scope's uploads dir is a link to a dir outside the data root.
    await rm(layout.uploadsDir(planted), { recursive: true })
    await symlink(outside, layout.uploadsDir(planted))
    const plan = await planCleanup(backend, { olderThanMs: 24 * HOUR, now: NOW })
    expect(plan.targets.map((t) => t.dir)).toEqual([clean.dir])
    expect(plan.skipped).toEqual([{ key: planted.key, dir: planted.dir, reason: expect.stringMatching(/^unsafe path: .*symlink/), code: 'unsafe_path' }])
    const result = await applyCleanup(backend, plan)
    expect(result.removed.map((r) => r.dir)).toEqual([clean.dir])
    expect(result.skipped).toEqual(plan.skipped)
    expect(await exists(layout.vectorsDir(clean))).toBe(false)
    expect(await exists(layout.vectorsDir(planted))).toBe(true)
    expect((await readdir(outside)).sort()).toEqual(['sentinel.txt'])
    expect(await readFile(path.join(outside, 'sentinel.txt'), 'utf8')).toBe('must survive')
  })

  it('a link planted between plan and apply skips that scope and removes the others', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'sentinel.txt'), 'must survive')
    const backend = backendAt(root)
    const { layout } = backend
    const planted = session(1)
    const clean = session(2)
    await makeScope(layout, planted, 48 * HOUR)
    await makeScope(layout, clean, 48 * HOUR)
    const plan = await planCleanup(backend, { olderThanMs: 24 * HOUR, now: NOW })
    expect(plan.targets).toHaveLength(2)
    await rm(layout.vectorsDir(planted), { recursive: true })
    await symlink(outside, layout.vectorsDir(planted))
    const result = await applyCleanup(backend, plan)
    expect(result.removed.map((r) => r.dir)).toEqual([clean.dir])
    expect(result.skipped).toEqual([{ key: planted.key, dir: planted.dir, reason: expect.stringMatching(/^unsafe path: /), code: 'unsafe_path' }])
    expect((await readdir(outside)).sort()).toEqual(['sentinel.txt'])
  })

  it('rejects a negative age', async () => {
    await expect(planCleanup(backendAt(await tempDir()), { olderThanMs: -1 })).rejects.toMatchObject({ code: 'invalid_options' })
  })
})
