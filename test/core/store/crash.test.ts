/**
 * SIGKILL mid-commit (fast set, ~30 kill points): at every named step of the
 * commit, on an empty and a non-empty store, and at fs operation counts spread over
 * the open and the first three commits. crash.stress.test.ts sweeps every count.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { CRASH_POINTS, assertBuilt, runCrashCases } from './crash-harness.js'

beforeAll(assertBuilt)

// Each case starts a Node child and fsyncs several files: at a load average of 10+ the 21-case
// sweep needs more than the default 30 s. No timing is asserted.
describe('a writer killed mid-commit', { timeout: 120_000 }, () => {
  it('leaves the old or the new version at every named commit step', async () => {
    const cases = CRASH_POINTS.flatMap((point) => [0, 3].map((prefill) => ({ prefill, adds: 2, env: { BENTO_CRASH_AT: point } })))
    const outcomes = await runCrashCases(cases)
    outcomes.forEach((outcome, i) => {
      const point = cases[i]!.env.BENTO_CRASH_AT
      expect(outcome.killed, point).toBe(true)
      // Before the journal is durable the commit must vanish; from then on it must land.
      expect(outcome.landed, point).toBe(point !== 'store.commit.after-temp-files')
    })
  })

  it('leaves the old or the new version at 21 fs operation counts', async () => {
    const cases = Array.from({ length: 21 }, (_, i) => ({ prefill: 1, adds: 3, env: { BENTO_CRASH_AFTER_OPS: String(2 + i * 3) } }))
    const outcomes = await runCrashCases(cases)
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThan(18)
    expect(outcomes.some((o) => o.killed && o.landed)).toBe(true)
    expect(outcomes.some((o) => o.killed && !o.landed)).toBe(true)
  }, 120_000) // 21 child processes: ~30 s at load average 17 on 2 cores
})
