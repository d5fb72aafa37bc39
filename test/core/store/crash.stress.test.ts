/** SIGKILL at every fs operation of an open and twelve commits (≥ 200 kill points), plus every named step. */
import { beforeAll, describe, expect, it } from 'vitest'
import { CRASH_POINTS, assertBuilt, runCrashCases } from './crash-harness.js'

beforeAll(assertBuilt)

describe('a writer killed mid-commit (sweep)', () => {
  it('leaves the old or the new version at each of 240 fs operation counts', async () => {
    const cases = Array.from({ length: 240 }, (_, i) => ({ prefill: 2, adds: 12, env: { BENTO_CRASH_AFTER_OPS: String(i + 1) } }))
    const outcomes = await runCrashCases(cases)
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThan(200)
    expect(outcomes.filter((o) => o.killed && o.landed).length).toBeGreaterThan(20)
  })

  it('leaves the old or the new version at every named step of later commits, with capacity growth', async () => {
    const cases = CRASH_POINTS.flatMap((point) => [1, 4, 8, 9].map((prefill) => ({ prefill, adds: 3, env: { BENTO_CRASH_AT: point } })))
    const outcomes = await runCrashCases(cases)
    for (const outcome of outcomes) expect(outcome.killed).toBe(true)
  })
})
