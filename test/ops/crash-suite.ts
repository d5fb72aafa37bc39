/**
 * A SIGKILL at named steps of migrate and cleanup, in a real child process
 * running the compiled `dist/` (`npm test` builds it first), then recovery by
 * the next command: nothing lost, nothing duplicated, no journal or trash left.
 * `crash.test.ts` runs one point per kind; `crash.stress.test.ts` runs them all.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope, sessionScope } from '../../src/core/keys.js'
import { recoverPendingOperations } from '../../src/ops/recover.js'
import { ageLocks, runChild } from './crash-child.js'
import { chunkTexts, documentIds, LONG_TEXT, snapshotTree, useBackendFixtures } from './fixtures.js'

const expectClean = async (root: string) => {
  expect(await readdir(path.join(root, '.bento', 'journal')).catch(() => [])).toEqual([])
  expect(await readdir(path.join(root, '.bento', 'trash')).catch(() => [])).toEqual([])
}

export interface CrashPoints {
  rename: Array<[string, 'move' | 'copy']>
  merge: string[]
  cleanup: string[]
}

export const ALL_CRASH_POINTS: CrashPoints = {
  rename: [
    ['migrate:after-intent', 'move'],
    ['migrate:after-clear-vectors', 'move'],
    ['migrate:after-rename-vectors', 'move'],
    ['migrate:after-rename-uploads', 'move'],
    ['migrate:after-stage-vectors', 'copy'],
    ['migrate:after-rename-vectors', 'copy'],
  ],
  merge: ['migrate-merge:after-add-documents', 'migrate-merge:before-merged', 'migrate-merge:after-trash-vectors'],
  cleanup: ['cleanup:after-intent', 'cleanup:after-trash-vectors', 'cleanup:after-trash'],
}

export const defineCrashSuite = (points: CrashPoints) => describe('crash recovery', () => {
  const { freshBackend } = useBackendFixtures()

  it.each(points.rename)('completes a rename migration killed at %s (%s)', async (crashAt, mode) => {
    const { root, backend, layout, add } = await freshBackend()
    const from = customScope('user-1')
    const to = customScope('user-2')
    await add(from, { 'a.md': LONG_TEXT('alpha'), 'b.txt': 'bravo' })
    // An empty target with an activity file: rename mode moves it aside first.
    await mkdir(layout.vectorsDir(to), { recursive: true })
    await writeFile(layout.activityFile(to), JSON.stringify({ createdAt: new Date().toISOString(), lastActiveAt: new Date().toISOString() }))
    const expected = await chunkTexts(backend, from)
    await backend.evict(from)
    const uploads = await snapshotTree(layout.uploadsDir(from))

    const child = runChild(root, crashAt, ['migrate', from.key, to.key, mode])
    expect(child.signal, child.stderr).toBe('SIGKILL')
    await ageLocks(layout.locksDir)
    const report = await recoverPendingOperations(backend)
    expect(report.pending).toEqual([])
    expect(report.completed).toHaveLength(1)

    expect(await chunkTexts(backend, to)).toEqual(expected)
    expect(await snapshotTree(layout.uploadsDir(to))).toEqual(uploads)
    expect(await backend.scopeExists(from)).toBe(mode === 'copy')
    if (mode === 'copy') expect(await chunkTexts(backend, from)).toEqual(expected)
    await expectClean(root)
  })

  it.each(points.merge)(
    'completes a merge killed at %s with nothing lost or doubled',
    async (crashAt) => {
      const { root, backend, layout, add } = await freshBackend()
      const from = customScope('user-1')
      const to = customScope('user-2')
      await add(from, { 'a.md': LONG_TEXT('alpha'), 'b.txt': 'bravo', 'c.txt': 'charlie' })
      await add(to, { 'd.md': LONG_TEXT('delta') })
      const expected = [...(await chunkTexts(backend, from)), ...(await chunkTexts(backend, to))].sort()
      const expectedIds = [...(await documentIds(backend, from)), ...(await documentIds(backend, to))].sort()
      await backend.evict(from)
      await backend.evict(to)

      const child = runChild(root, crashAt, ['migrate', from.key, to.key, 'move'])
      expect(child.signal, child.stderr).toBe('SIGKILL')
      await expect(backend.withStore(to, async () => 'read')).rejects.toMatchObject({ code: 'busy' })
      await ageLocks(layout.locksDir)
      const report = await recoverPendingOperations(backend)
      expect(report).toMatchObject({ pending: [], completed: [{ op: 'migrate-merge' }] })

      expect(await documentIds(backend, to)).toEqual(expectedIds)
      expect(await chunkTexts(backend, to)).toEqual(expected)
      for (const id of expectedIds) expect(await readdir(path.join(layout.uploadsDir(to), id))).toHaveLength(1)
      expect(await backend.scopeExists(from)).toBe(false)
      await expectClean(root)
    },
  )

  it.each(points.cleanup)('finishes a cleanup killed at %s', async (crashAt) => {
    const { root, backend, layout, add } = await freshBackend()
    const victim = sessionScope('d'.repeat(32))
    const keep = customScope('user-keep')
    await add(victim, { 'a.txt': 'alpha' })
    await add(keep, { 'k.txt': 'kept' })
    await backend.evict(victim)
    const kept = await snapshotTree(layout.vectorsDir(keep))
    const child = runChild(root, crashAt, ['cleanup', victim.dir])
    expect(child.signal, child.stderr).toBe('SIGKILL')
    await ageLocks(layout.locksDir)
    const report = await recoverPendingOperations(backend)
    expect(report.pending).toEqual([])
    expect(await backend.scopeExists(victim)).toBe(false)
    expect(await snapshotTree(layout.vectorsDir(keep))).toEqual(kept)
    await expectClean(root)
  })

  it.each(points.cleanup)('finishes a batched cleanup of several scopes (one intent, one trash dir) killed at %s', async (crashAt) => {
    const { root, backend, layout, add } = await freshBackend()
    const victims = ['a', 'b', 'c'].map((c) => sessionScope(c.repeat(32)))
    const keep = customScope('user-keep')
    for (const victim of victims) await add(victim, { 'v.txt': `victim ${victim.dir}` })
    await add(keep, { 'k.txt': 'kept' })
    for (const victim of victims) await backend.evict(victim)
    const kept = await snapshotTree(layout.vectorsDir(keep))
    const child = runChild(root, crashAt, ['cleanup', victims.map((victim) => victim.dir).join(',')])
    expect(child.signal, child.stderr).toBe('SIGKILL')
    await ageLocks(layout.locksDir)
    const report = await recoverPendingOperations(backend)
    expect(report.pending).toEqual([])
    expect(report.completed).toHaveLength(1)
    for (const victim of victims) expect(await backend.scopeExists(victim)).toBe(false)
    expect(await snapshotTree(layout.vectorsDir(keep))).toEqual(kept)
    await expectClean(root)
  })
})
