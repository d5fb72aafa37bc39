import { describe, expect, it } from 'vitest'
import { mapConcurrent } from '../../src/core/map-concurrent.js'
import { forEachConcurrent } from '../../src/ops/concurrent.js'

async function* numbers(count: number, taken: number[] = []) {
  for (let i = 0; i < count; i++) {
    taken.push(i)
    yield i
  }
}

/** Settles calls in an order the test picks: `release(i)` resolves call i. */
const gate = () => {
  const waiting = new Map<number, (fail: boolean) => void>()
  let inFlight = 0
  let most = 0
  const call = (i: number) =>
    new Promise<number>((resolve, reject) => {
      inFlight++
      most = Math.max(most, inFlight)
      waiting.set(i, (fail) => {
        inFlight--
        if (fail) reject(new Error(`call ${i} failed`))
        else resolve(i * 10)
      })
    })
  const release = async (i: number, fail = false) => {
    while (!waiting.has(i)) await new Promise((r) => setImmediate(r))
    waiting.get(i)!(fail)
    waiting.delete(i)
  }
  return { call, release, most: () => most, inFlight: () => inFlight }
}

describe('mapConcurrent', () => {
  it('yields every result as it settles, with no more than the limit in flight', async () => {
    const g = gate()
    const results: number[] = []
    const consume = (async () => {
      for await (const value of mapConcurrent(numbers(20), 4, g.call)) results.push(value)
    })()
    for (const i of [3, 1, 0, 2, ...Array.from({ length: 16 }, (_, k) => k + 4)]) await g.release(i)
    await consume
    expect(g.most()).toBe(4)
    expect(results.slice(0, 4)).toEqual([30, 10, 0, 20])
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i * 10))
  })

  it('stops taking items at the first failure and throws it once the calls in flight settled', async () => {
    const g = gate()
    const taken: number[] = []
    const consume = (async () => {
      for await (const _ of mapConcurrent(numbers(100, taken), 3, g.call)) void _
    })()
    const outcome = consume.then(() => 'done', (error: Error) => error.message)
    await g.release(1, true)
    await g.release(0)
    expect(g.inFlight()).toBe(1)
    await g.release(2)
    expect(await outcome).toBe('call 1 failed')
    expect(taken).toEqual([0, 1, 2])
  })

  it('waits for the calls in flight when the consumer stops early', async () => {
    const g = gate()
    const consume = (async () => {
      for await (const _ of mapConcurrent(numbers(100), 3, g.call)) break
    })()
    let finished = false
    void consume.then(() => (finished = true))
    await g.release(0)
    await new Promise((r) => setImmediate(r))
    expect(finished).toBe(false)
    await g.release(1)
    await g.release(2)
    await consume
    expect(g.inFlight()).toBe(0)
  })
})

describe('forEachConcurrent', () => {
  it('runs every item with no more than the limit in flight, and throws the first failure after the rest settled', async () => {
    const g = gate()
    const run = forEachConcurrent(numbers(10), 3, async (i) => void (await g.call(i)))
    const outcome = run.then(() => 'done', (error: Error) => error.message)
    for (const i of [2, 0, 1, 5, 4, 3, 6, 7, 8, 9]) await g.release(i)
    expect(await outcome).toBe('done')
    expect(g.most()).toBe(3)
    const failing = gate()
    const failed = forEachConcurrent(numbers(10), 2, async (i) => void (await failing.call(i))).then(() => 'done', (error: Error) => error.message)
    await failing.release(0, true)
    await failing.release(1)
    expect(await failed).toBe('call 0 failed')
    expect(failing.inFlight()).toBe(0)
  })
})
