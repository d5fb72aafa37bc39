/**
 * `bento cleanup`: the seed's `--older-than 24h`, dry runs, the kind and scope
 * rules (shared only when named), skipped scopes with reasons, and the --yes gate.
 * The seed invocation, the lock held by another process and the --yes gate run the
 * real binary; the other cases run the same program in-process (`runInProcess`).
 */
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { listScopeKeys, runBento, runInProcess } from './support/bento.js'
import { DAY_MS, snapshotTree, text, type FixtureScope } from './support/fixture.js'
import { holdScopeLock } from './support/lock.js'
import { useTemplateDataDir } from './support/template.js'

const OLD_SESSION = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const OLD_SESSION_2 = 'cccccccccccccccccccccccccccccccc'
const FRESH_SESSION = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

const freshDataDir = useTemplateDataDir((): FixtureScope[] => {
  const old = new Date(Date.now() - 3 * DAY_MS)
  return [
    { key: `session-${OLD_SESSION}`, files: { 'a.txt': text('weather', 4) }, lastActiveAt: old },
    { key: `session-${OLD_SESSION_2}`, files: { 'c.txt': text('tides', 4) }, lastActiveAt: old },
    { key: `session-${FRESH_SESSION}`, files: { 'b.txt': text('sports', 4) } },
    { key: 'user-old', files: { 'u.txt': text('invoices', 4) }, lastActiveAt: old },
    { key: 'shared', files: { 's.txt': text('handbook', 4) }, lastActiveAt: old },
  ]
})

const json = <T>(stdout: string): T => JSON.parse(stdout) as T

describe('bento cleanup', () => {
  it('a real run with nothing to remove reports dryRun false (it said true), as the admin route does', async () => {
    const dataDir = await freshDataDir()
    const run = await runInProcess(['cleanup', '--older-than', '30d', '--yes', '--json', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    expect(json<{ dryRun: boolean; removed: unknown[] }>(run.stdout)).toMatchObject({ dryRun: false, removed: [] })
    const dry = await runInProcess(['cleanup', '--older-than', '30d', '--dry-run', '--json', '--data-dir', dataDir])
    expect(json<{ dryRun: boolean }>(dry.stdout).dryRun).toBe(true)
  })

  it('--older-than below the activity window keeps a session used 40 s ago (its record may lag a minute) and says why', async () => {
    const dataDir = await freshDataDir()
    const at = new Date(Date.now() - 40_000).toISOString()
    await writeFile(path.join(dataDir, 'vectors', 'isolated', `session-${FRESH_SESSION}`, 'activity.json'), JSON.stringify({ createdAt: at, lastActiveAt: at }))
    const run = await runInProcess(['cleanup', '--older-than', '30s', '--yes', '--json', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    const result = json<{ removed: Array<{ key: string }>; activityWindowMs: number }>(run.stdout)
    expect(result.removed.map((row) => row.key).sort()).toEqual([OLD_SESSION, OLD_SESSION_2])
    expect(result.activityWindowMs).toBe(60_000)
    expect(run.stderr).toContain('activity is recorded at most once per 1m, so a scope counts as idle only after --older-than 30s plus 1m')
    expect(await listScopeKeys(dataDir)).toContain(FRESH_SESSION)
  })

  it('the seed invocation: --dry-run --json lists the expired sessions with bytes; --yes removes exactly them', async () => {
    const dataDir = await freshDataDir()
    const before = await snapshotTree(dataDir)
    const du = json<{ scopes: Array<{ key: string; totalBytes: number }> }>((await runInProcess(['du', '--json', '--data-dir', dataDir])).stdout)
    const sizeOf = (key: string) => du.scopes.find((row) => row.key === key)!.totalBytes

    const dry = await runBento(['cleanup', '--older-than', '24h', '--dry-run', '--json', '--data-dir', dataDir])
    expect(dry.code).toBe(0)
    const plan = json<{ dryRun: boolean; removed: Array<{ key: string; dir: string; kind: string; bytes: number }>; skipped: unknown[]; freedBytes: number }>(dry.stdout)
    expect(plan.dryRun).toBe(true)
    expect(plan.removed.map((row) => row.key).sort()).toEqual([OLD_SESSION, OLD_SESSION_2])
    expect(plan.removed[0]).toMatchObject({ kind: 'session', dir: expect.stringMatching(/^session-/), bytes: sizeOf(plan.removed[0]!.key) })
    expect(plan.freedBytes).toBe(sizeOf(OLD_SESSION) + sizeOf(OLD_SESSION_2))
    expect(plan.skipped).toEqual([])
    expect(await snapshotTree(dataDir)).toEqual(before)

    const human = await runInProcess(['cleanup', '--older-than', '24h', '--dry-run', '--data-dir', dataDir])
    expect(human.stdout).toMatch(/^Would remove 2 scopes, freeing [\d.]+ KiB:$/m)

    const run = await runBento(['cleanup', '--older-than', '24h', '--yes', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Removed 2 scopes, freed [\d.]+ KiB:$/m)
    expect(run.stdout).toMatch(new RegExp(`^ {2}${OLD_SESSION}\\s+session\\s+3d ago`, 'm'))
    expect(await listScopeKeys(dataDir)).toEqual([FRESH_SESSION, 'shared', 'user-old'].sort())

    const again = await runInProcess(['cleanup', '--older-than', '24h', '--yes', '--data-dir', dataDir])
    expect([again.code, again.stdout]).toEqual([0, 'Nothing to clean up.\n'])
  })

  it('--include-users adds custom scopes; shared goes only when named with --scope shared', async () => {
    const dataDir = await freshDataDir()
    const users = await runInProcess(['cleanup', '--older-than', '2d', '--include-users', '--yes', '--json', '--data-dir', dataDir])
    expect(users.code).toBe(0)
    const result = json<{ dryRun: boolean; removed: Array<{ key: string }>; freedBytes: number }>(users.stdout)
    expect(result.dryRun).toBe(false)
    expect(result.removed.map((row) => row.key).sort()).toEqual([OLD_SESSION, OLD_SESSION_2, 'user-old'].sort())
    expect(await listScopeKeys(dataDir)).toEqual([FRESH_SESSION, 'shared'].sort())

    const fresh = await runInProcess(['cleanup', '--older-than', '7d', '--scope', 'shared', '--yes', '--json', '--data-dir', dataDir])
    expect(json<{ removed: unknown[] }>(fresh.stdout).removed).toEqual([])
    const shared = await runInProcess(['cleanup', '--older-than', '1d', '--scope', 'shared', '--yes', '--json', '--data-dir', dataDir])
    expect(json<{ removed: Array<{ key: string }> }>(shared.stdout).removed.map((row) => row.key)).toEqual(['shared'])
    expect(await listScopeKeys(dataDir)).toEqual([FRESH_SESSION])
  })

  it('--scope naming a scope that does not exist reports it as skipped (not found), in JSON and in the table', async () => {
    const dataDir = await freshDataDir()
    const [json_, human] = await Promise.all([
      runInProcess(['cleanup', '--older-than', '1d', '--scope', 'user-typo', '--scope', 'user-old', '--dry-run', '--json', '--data-dir', dataDir]),
      runInProcess(['cleanup', '--older-than', '1d', '--scope', 'user-typo', '--dry-run', '--data-dir', dataDir]),
    ])
    expect(json_.code).toBe(0)
    const result = json<{ removed: Array<{ key: string }>; skipped: Array<{ key: string; dir: string; reason: string }> }>(json_.stdout)
    expect(result.removed.map((row) => row.key)).toEqual(['user-old'])
    expect(result.skipped).toEqual([{ key: 'user-typo', dir: 'user-typo', reason: 'not found' }])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^Nothing to clean up\.$/m)
    expect(human.stdout).toMatch(/^Skipped 1 scope:$/m)
    expect(human.stdout).toMatch(/^ {2}user-typo\s+not found$/m)
  })

  it('one planted link does not block all cleanup: the other scopes go, the linked one is listed, exit 3 (a partial run)', async () => {
    const dataDir = await freshDataDir()
    const outside = await mkdtemp(path.join(tmpdir(), 'bento-outside-'))
    try {
      await writeFile(path.join(outside, 'sentinel.txt'), 'must survive')
      const planted = path.join(dataDir, 'uploads', 'isolated', `session-${OLD_SESSION}`)
      await rm(planted, { recursive: true, force: true })
      await symlink(outside, planted)
      const run = await runInProcess(['cleanup', '--older-than', '1d', '--include-users', '--yes', '--json', '--data-dir', dataDir])
      expect(run.code).toBe(3)
      const result = json<{ removed: Array<{ key: string }>; skipped: Array<{ key: string; reason: string; code?: string }> }>(run.stdout)
      expect(result.removed.map((row) => row.key).sort()).toEqual([OLD_SESSION_2, 'user-old'])
      expect(result.skipped).toEqual([{ key: OLD_SESSION, dir: `session-${OLD_SESSION}`, reason: expect.stringContaining('unsafe path: Refusing to follow a symlink'), code: 'unsafe_path' }])
      expect(run.stderr).toContain('bento: 1 scope left alone: a link was planted in it (see skipped); the rest was cleaned up.')
      expect(await readdir(outside)).toEqual(['sentinel.txt'])
      expect(await listScopeKeys(dataDir)).toEqual([FRESH_SESSION, OLD_SESSION, 'shared'].sort())
      const human = await runInProcess(['cleanup', '--older-than', '1d', '--yes', '--data-dir', dataDir])
      expect(human.code).toBe(3)
      expect(human.stdout).toMatch(new RegExp(`^ {2}${OLD_SESSION}\\s+unsafe path: Refusing to follow a symlink`, 'm'))
    } finally {
      await rm(outside, { recursive: true, force: true })
    }
  })

  it('--kind custom considers only users; a scope locked by another process is skipped with the reason', async () => {
    const dataDir = await freshDataDir()
    const kind = await runInProcess(['cleanup', '--older-than', '1d', '--kind', 'custom', '--dry-run', '--json', '--data-dir', dataDir])
    expect(json<{ removed: Array<{ key: string }> }>(kind.stdout).removed.map((row) => row.key)).toEqual(['user-old'])

    const lock = await holdScopeLock(dataDir, `session-${OLD_SESSION}`)
    try {
      const run = await runBento(['cleanup', '--older-than', '1d', '--yes', '--data-dir', dataDir])
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^Removed 1 scope, freed/m)
      expect(run.stdout).toMatch(/^Skipped 1 scope:$/m)
      expect(run.stdout).toMatch(new RegExp(`^ {2}${OLD_SESSION}\\s+locked by another process$`, 'm'))
    } finally {
      await lock.release()
    }
    expect(await listScopeKeys(dataDir)).toContain(OLD_SESSION)
    expect(await listScopeKeys(dataDir)).not.toContain(OLD_SESSION_2)
  })

  it('without a terminal and without --yes: exit 2 before reading the data dir; nothing changed', async () => {
    const dataDir = await freshDataDir()
    const before = await snapshotTree(dataDir)
    const run = await runBento(['cleanup', '--older-than', '24h', '--data-dir', dataDir])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('bento: cleanup changes data and stdin is not a terminal: pass --yes to confirm (or --dry-run to preview).\n')
    const missingDuration = await runInProcess(['cleanup', '--yes', '--data-dir', dataDir])
    expect([missingDuration.code, missingDuration.stderr]).toEqual([2, 'bento: Missing option --older-than <duration>.\n'])
    expect(await snapshotTree(dataDir)).toEqual(before)
  })
})
