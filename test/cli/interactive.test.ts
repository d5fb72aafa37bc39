/**
 * The terminal paths, on a real pseudo-terminal (python3's pty module drives
 * the real binary): confirmation, "no" and Ctrl+C at a prompt (exit 130,
 * nothing changed), choosing a missing scope, typing a key or a duration that
 * is validated as typed, and progress drawn only on a terminal.
 */
import { describe, expect, it } from 'vitest'
import { listScopeKeys, runBentoPty } from './support/bento.js'
import { DAY_MS, snapshotTree, text, type FixtureScope } from './support/fixture.js'
import { useTemplateDataDir } from './support/template.js'

const OLD_SESSION = 'dddddddddddddddddddddddddddddddd'
const ENTER = '\r'
const CTRL_C = '\x03'
const DOWN = '\x1b[B'
const BACKSPACE = '\x7f'

const freshDataDir = useTemplateDataDir((): FixtureScope[] => [
  { key: 'shared', files: { 'handbook.md': text('onboarding', 40) } },
  { key: 'user-9', files: { 'notes.txt': text('invoices', 4) } },
  { key: `session-${OLD_SESSION}`, files: { 'chat.txt': text('weather', 2) }, lastActiveAt: new Date(Date.now() - 3 * DAY_MS) },
])

describe('on a terminal', () => {
  it('migrate shows the plan on stderr, asks, and applies on "y"; --json keeps stdout pure JSON', async () => {
    const dataDir = await freshDataDir()
    const run = await runBentoPty(['migrate', 'shared', '--to', 'user-123', '--json', '--data-dir', dataDir], [
      { expect: 'Move shared to user-123\\?', send: `y${ENTER}` },
    ])
    expect(run.timedOutAt).toBeNull()
    expect(run.code).toBe(0)
    expect(run.tty).toMatch(/Would move shared → user-123 \(rename\):[\s\S]*documents\s+1/)
    expect(JSON.parse(run.stdout)).toMatchObject({ from: 'shared', to: 'user-123', mode: 'rename', dryRun: false, documents: 1 })
    expect(await listScopeKeys(dataDir)).toEqual([OLD_SESSION, 'user-123', 'user-9'])
  })

  it('"n" at the confirmation and Ctrl+C at it both exit 130 and change nothing', async () => {
    const dataDir = await freshDataDir()
    const before = await snapshotTree(dataDir)
    const declined = await runBentoPty(['cleanup', '--older-than', '24h', '--data-dir', dataDir], [{ expect: 'Remove 1 scope \\(', send: `n${ENTER}` }])
    expect([declined.timedOutAt, declined.code]).toEqual([null, 130])
    expect(declined.tty).toContain('bento: Not confirmed; nothing changed.')
    expect(declined.stdout).toBe('')
    const interrupted = await runBentoPty(['migrate', 'user-9', '--to', 'shared', '--data-dir', dataDir], [{ expect: 'Move user-9 to shared\\?', send: CTRL_C }])
    expect([interrupted.timedOutAt, interrupted.code]).toEqual([null, 130])
    expect(interrupted.tty).toContain('bento: Cancelled at the prompt; nothing changed.')
    expect(interrupted.tty).not.toMatch(/^\s+at /m)
    const after = await snapshotTree(dataDir)
    const withoutLocks = (snapshot: Record<string, number>) => Object.fromEntries(Object.entries(snapshot).filter(([file]) => !file.startsWith('.bento')))
    expect(withoutLocks(after)).toEqual(withoutLocks(before))
  })

  it('migrate without arguments offers the scopes (largest first) and validates the typed key', async () => {
    const dataDir = await freshDataDir()
    const run = await runBentoPty(['migrate', '--data-dir', dataDir], [
      { expect: 'Migrate which scope\\?[\\s\\S]*shared\\s+\\(shared, [\\d.]+ KiB', send: `${DOWN}${ENTER}` },
      { expect: 'Migrate user-9 to which key\\?', send: `a/b${ENTER}` },
      { expect: 'Invalid isolation key "a/b"', send: `${BACKSPACE.repeat(3)}user-9${ENTER}` },
      { expect: 'The target must differ from the source', send: `${BACKSPACE.repeat(6)}tenant_a:user_9${ENTER}` },
      { expect: 'Move user-9 to tenant_a:user_9\\?', send: `y${ENTER}` },
    ])
    expect(run.timedOutAt).toBeNull()
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Moved user-9 → tenant_a:user_9 \(rename\):$/m)
    expect(await listScopeKeys(dataDir)).toEqual([OLD_SESSION, 'shared', 'tenant_a:user_9'])
  })

  it('inspect without an argument offers the scopes; Ctrl+C there exits 130', async () => {
    const dataDir = await freshDataDir()
    const [picked, cancelled] = await Promise.all([
      runBentoPty(['inspect', '--data-dir', dataDir], [{ expect: 'Inspect which scope\\?', send: `${DOWN}${ENTER}` }]),
      runBentoPty(['inspect', '--data-dir', dataDir], [{ expect: 'Inspect which scope\\?', send: CTRL_C }]),
    ])
    expect([picked.timedOutAt, picked.code]).toEqual([null, 0])
    expect(picked.stdout).toMatch(/^Scope\s+user-9 \(custom/m)
    expect([cancelled.timedOutAt, cancelled.code, cancelled.stdout]).toEqual([null, 130, ''])
  })

  it('cleanup without --older-than asks for a duration, validated as typed, then confirms; progress is drawn on stderr', async () => {
    const dataDir = await freshDataDir()
    const run = await runBentoPty(['cleanup', '--data-dir', dataDir], [
      { expect: 'Remove scopes inactive for longer than:', send: `24${ENTER}` },
      { expect: 'Not a duration: use a number and a unit', send: `h${ENTER}` },
      { expect: 'Remove 1 scope \\(', send: `y${ENTER}` },
    ], { env: { BENTO_PROGRESS_DELAY_MS: '0' } })
    expect(run.timedOutAt).toBeNull()
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Removed 1 scope, freed [\d.]+ KiB:$/m)
    expect(run.tty).toMatch(/Removing \[[█░]+\] \d\/1/)
    expect(await listScopeKeys(dataDir)).toEqual(['shared', 'user-9'])
  })

  it('du draws a live counter on a terminal, but never with --json, and paints stdout only when it is a terminal', async () => {
    const dataDir = await freshDataDir()
    const env = { BENTO_PROGRESS_DELAY_MS: '0' }
    const [human, asJson] = await Promise.all([
      runBentoPty(['du', '--data-dir', dataDir], [], { env }),
      runBentoPty(['du', '--json', '--data-dir', dataDir], [], { env }),
    ])
    expect([human.code, asJson.code]).toEqual([0, 0])
    expect(human.tty).toMatch(/Scanning \d/)
    expect(asJson.tty).toBe('')
    expect(JSON.parse(asJson.stdout)).toMatchObject({ scopeCount: 3 })
    expect(human.stdout).not.toContain('\x1b[')
  })
})
