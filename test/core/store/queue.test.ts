import { describe, expect, it } from 'vitest'
import { createSerialQueue } from '../../../src/core/store/queue.js'

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('createSerialQueue', () => {
  it('runs tasks one at a time in call order, the first at once when idle', async () => {
    const queue = createSerialQueue()
    const log: string[] = []
    let running = 0
    const task = (name: string, ms: number) => async () => {
      running++
      expect(running).toBe(1)
      log.push(`start ${name}`)
      await later(ms)
      log.push(`end ${name}`)
      running--
      return name
    }
    const a = queue.run(task('a', 20))
    expect(log).toEqual(['start a']) // an idle queue does not wait a turn
    const results = await Promise.all([a, queue.run(task('b', 1)), queue.run(task('c', 5))])
    expect(results).toEqual(['a', 'b', 'c'])
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
    const d = queue.run(task('d', 1))
    expect(log.at(-1)).toBe('start d') // idle again
    await d
  })

  it('keeps going after a failed task, rejects instead of throwing, and drains', async () => {
    const queue = createSerialQueue()
    const failing = queue.run(() => {
      throw new Error('sync failure')
    })
    await expect(failing).rejects.toThrow('sync failure')
    await expect(queue.run(async () => {
      await later(5)
      throw new Error('async failure')
    })).rejects.toThrow('async failure')
    let done = false
    void queue.run(async () => {
      await later(10)
      done = true
    })
    await queue.drain()
    expect(done).toBe(true)
    expect(await queue.run(async () => 'ok')).toBe('ok')
  })
})
