/**
 * `bento migrate` on data dirs built with the real ops: the seed's `bento migrate
 * shared --to user-123`, dry runs that change nothing, the --yes gate, merge and
 * copy, and refusals with their exit codes. The seed invocation, the --yes gate and
 * the target locked by another process run the real binary; the other cases run the
 * same program in-process (`runInProcess`).
 */
import { describe, expect, it } from 'vitest'
import { assertNoStack, runBento, runInProcess } from './support/bento.js'
import { backdate, snapshotTree, text, type FixtureScope } from './support/fixture.js'
import { holdScopeLock } from './support/lock.js'
import { useTemplateDataDir } from './support/template.js'

const freshDataDir = useTemplateDataDir((): FixtureScope[] => [
  { key: 'shared', files: { 'handbook.md': text('onboarding', 30), 'faq.txt': text('vacation', 10) } },
  { key: 'user-9', files: { 'notes.txt': text('invoices', 6) } },
])

const json = <T>(stdout: string): T => JSON.parse(stdout) as T

describe('bento migrate', () => {
  it('the seed invocation moves shared to a new user-123 (rename) with --yes, and the data follows', async () => {
    const dataDir = await freshDataDir()
    const run = await runBento(['migrate', 'shared', '--to', 'user-123', '--yes', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^Moved shared → user-123 \(rename\):$/m)
    expect(run.stdout).toMatch(/^ {2}documents {6}2$/m)
    expect(run.stdout).toMatch(/^ {2}uploads {8}2 files$/m)

    const [target, source, search] = await Promise.all([
      runInProcess(['inspect', 'user-123', '--json', '--data-dir', dataDir]),
      runInProcess(['inspect', 'shared', '--json', '--data-dir', dataDir]),
      runInProcess(['search', 'user-123', 'vacation', '-k', '1', '--json', '--data-dir', dataDir]),
    ])
    expect(target.code).toBe(0)
    expect(json<{ documents: Array<{ title: string }>; healthy: boolean }>(target.stdout)).toMatchObject({ healthy: true, documents: expect.arrayContaining([expect.objectContaining({ title: 'faq.txt' }), expect.objectContaining({ title: 'handbook.md' })]) })
    expect(source.code).toBe(3)
    expect(json<{ results: Array<{ title: string }> }>(search.stdout).results[0]!.title).toBe('faq.txt')
  })

  it('a migrate is a write: cleanup --include-users --older-than 1h right after it keeps the data just moved', async () => {
    const dataDir = await freshDataDir()
    await backdate(dataDir, 'shared', new Date(Date.now() - 3 * 86_400_000))
    const moved = await runInProcess(['migrate', 'shared', '--to', 'user-123', '--yes', '--data-dir', dataDir])
    expect(moved.code).toBe(0)
    const cleanup = await runInProcess(['cleanup', '--include-users', '--older-than', '1h', '--yes', '--json', '--data-dir', dataDir])
    expect(cleanup.code).toBe(0)
    const removed = json<{ removed?: Array<{ key: string }> }>(cleanup.stdout).removed ?? []
    expect(removed.map((entry) => entry.key)).not.toContain('user-123')
    const target = await runInProcess(['inspect', 'user-123', '--json', '--data-dir', dataDir])
    expect(target.code).toBe(0)
  })

  it('--dry-run --json reports exactly what would move and changes nothing', async () => {
    const dataDir = await freshDataDir()
    const before = await snapshotTree(dataDir)
    const run = await runInProcess(['migrate', 'shared', '--to', 'user-123', '--dry-run', '--json', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    const plan = json<Record<string, unknown>>(run.stdout)
    expect(plan).toMatchObject({ from: 'shared', to: 'user-123', mode: 'rename', copy: false, dryRun: true, documents: 2, uploads: 2, conversations: 0 })
    expect(plan.vectors).toBeGreaterThanOrEqual(2)
    expect(plan.bytes).toBeGreaterThan(0)
    expect(await snapshotTree(dataDir)).toEqual(before)

    const applied = await runInProcess(['migrate', 'shared', '--to', 'user-123', '--yes', '--json', '--data-dir', dataDir])
    expect(applied.code).toBe(0)
    expect(json<Record<string, unknown>>(applied.stdout)).toMatchObject({ ...plan, dryRun: false })
  })

  it('without a terminal and without --yes: exit 2, one line, nothing changed', async () => {
    const dataDir = await freshDataDir()
    const before = await snapshotTree(dataDir)
    const run = await runBento(['migrate', 'shared', '--to', 'user-123', '--data-dir', dataDir])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('bento: migrate changes data and stdin is not a terminal: pass --yes to confirm (or --dry-run to preview).\n')
    expect(await snapshotTree(dataDir)).toEqual(before)
  })

  it('merges into an existing target, and --copy keeps the source', async () => {
    const dataDir = await freshDataDir()
    const copy = await runInProcess(['migrate', 'user-9', '--to', 'shared', '--copy', '--yes', '--json', '--data-dir', dataDir])
    expect(copy.code).toBe(0)
    expect(json<Record<string, unknown>>(copy.stdout)).toMatchObject({ from: 'user-9', to: 'shared', mode: 'merge', copy: true, dryRun: false, documents: 1, uploads: 1 })
    const listed = json<{ scopes: Array<{ key: string; documents: number }> }>((await runInProcess(['ls', '--json', '--data-dir', dataDir])).stdout).scopes
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'shared', documents: 3 }), expect.objectContaining({ key: 'user-9', documents: 1 })]))

    const human = await runInProcess(['migrate', 'user-9', '--to', 'shared', '--dry-run', '--data-dir', dataDir])
    expect(human.stdout).toMatch(/^Would move user-9 → shared \(merge\):$/m)
    expect(human.stdout).toContain('the target exists')
  })

  it('refuses with typed exit codes: missing source 3, invalid key 2, same scope, locked target 4', async () => {
    const dataDir = await freshDataDir()
    const before = await snapshotTree(dataDir)
    const [missing, invalid, same] = await Promise.all([
      runInProcess(['migrate', 'nobody', '--to', 'user-123', '--yes', '--data-dir', dataDir]),
      runInProcess(['migrate', 'shared', '--to', '../evil', '--yes', '--data-dir', dataDir]),
      runInProcess(['migrate', 'user-9', '--to', 'user-9', '--yes', '--data-dir', dataDir]),
    ])
    for (const run of [missing, invalid, same]) {
      assertNoStack(run.stderr)
      expect(run.stderr).toMatch(/^bento: [^\n]+\n$/)
      expect(run.stdout).toBe('')
    }
    expect(missing.code).toBe(3)
    expect(invalid.code).toBe(2)
    expect([2, 3]).toContain(same.code)

    const lock = await holdScopeLock(dataDir, 'user-123')
    try {
      const locked = await runBento(['migrate', 'shared', '--to', 'user-123', '--yes', '--data-dir', dataDir])
      expect(locked.code).toBe(4)
      expect(locked.stderr).toMatch(/^bento: .*locked/)
    } finally {
      await lock.release()
    }
    const after = await snapshotTree(dataDir)
    const locks = (snapshot: Record<string, number>) => Object.fromEntries(Object.entries(snapshot).filter(([file]) => !file.startsWith('.bento')))
    expect(locks(after)).toEqual(locks(before))
  })
})
