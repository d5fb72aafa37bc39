/**
 * SIGKILL mid-commit (fast set): at every named step of the
 * commit, on an empty and a non-empty store, and at fs operation counts spread over
 * the open and the first three commits (every 12th count of a full commit, every 4th
 * of an append). crash.stress.test.ts sweeps every count.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { APPEND_CRASH_POINTS, COMPACT_CRASH_POINTS, CRASH_POINTS, assertBuilt, runCrashCases } from './crash-harness.js'

beforeAll(assertBuilt)

// Each case starts a Node child and fsyncs several files: at a load average of 10+ the 21-case
// sweep needs more than the default 30 s. No timing is asserted.
describe('a writer killed mid-commit', { timeout: 120_000 }, () => {
  it('leaves the old or the new version at every named commit step', async () => {
    const cases = CRASH_POINTS.flatMap((point) => [0, 3].map((prefill) => ({ prefill, adds: 2, mode: 'full' as const, env: { BENTO_CRASH_AT: point } })))
    const outcomes = await runCrashCases(cases)
    outcomes.forEach((outcome, i) => {
      const point = cases[i]!.env.BENTO_CRASH_AT
      expect(outcome.killed, point).toBe(true)
      // Before the journal is durable the commit must vanish; from then on it must land.
      expect(outcome.landed, point).toBe(point !== 'store.commit.after-temp-files')
    })
  })

  it('leaves the old or the new version at 6 fs operation counts', async () => {
    const cases = Array.from({ length: 6 }, (_, i) => ({ prefill: 1, adds: 3, mode: 'full' as const, env: { BENTO_CRASH_AFTER_OPS: String(2 + i * 12) } }))
    const outcomes = await runCrashCases(cases)
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThan(4)
    expect(outcomes.some((o) => o.killed && o.landed)).toBe(true)
    expect(outcomes.some((o) => o.killed && !o.landed)).toBe(true)
  }, 120_000) // one child process per case; every count runs in crash.stress.test.ts
})

// A write appends a record to bento-log.bin and renames a manifest counting it over the old one:
// a kill before that rename must lose the write (the record is a tail nobody reads), after it keep it.
describe('a writer killed mid-append to the commit log', { timeout: 120_000 }, () => {
  it('leaves the old or the new version at every named append step', async () => {
    // prefill 1: the child's writes are appends (the first commit of a store writes its base files).
    const cases = APPEND_CRASH_POINTS.flatMap((point) => [1, 3].map((prefill) => ({ prefill, adds: 2, mode: 'log' as const, env: { BENTO_CRASH_AT: point } })))
    const outcomes = await runCrashCases(cases)
    outcomes.forEach((outcome, i) => {
      const point = cases[i]!.env.BENTO_CRASH_AT
      expect(outcome.killed, point).toBe(true)
      expect(outcome.landed, point).toBe(point !== 'store.append.after-log')
      // Nothing folds the log here: it is empty only when the one append it would hold was lost.
      expect(outcome.folded, point).toBe(cases[i]!.prefill === 1 && point === 'store.append.after-log')
    })
  })

  it('leaves the old or the new version at 8 fs operation counts', async () => {
    const cases = Array.from({ length: 8 }, (_, i) => ({ prefill: 1, adds: 3, mode: 'log' as const, env: { BENTO_CRASH_AFTER_OPS: String(2 + i * 4) } }))
    const outcomes = await runCrashCases(cases)
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThan(6)
    expect(outcomes.some((o) => o.killed && o.landed)).toBe(true)
    expect(outcomes.some((o) => o.killed && !o.landed)).toBe(true)
  })
})

// Compaction folds the log into the base files through the journaled commit, then drops the log file.
describe('a writer killed mid-compaction', { timeout: 120_000 }, () => {
  it('keeps every document at every named step, folded or not', async () => {
    const cases = COMPACT_CRASH_POINTS.map((point) => ({ prefill: 2, adds: 2, mode: 'compact' as const, env: { BENTO_CRASH_AT: point } }))
    const outcomes = await runCrashCases(cases)
    outcomes.forEach((outcome, i) => {
      const point = cases[i]!.env.BENTO_CRASH_AT
      expect(outcome.killed, point).toBe(true)
      expect(outcome.committed, point).toBe(4)
      // Before the journal is durable the log still holds the writes; from then on the base does.
      expect(outcome.folded, point).toBe(point !== 'store.commit.after-temp-files')
    })
  })
})

