/**
 * The paired runner: Bento (A) and its baseline (B) alternate A B A B … in one
 * process and one run, so drift in the machine (other test suites, page cache,
 * thermal) hits both sides alike. Each pair gives one ratio A/B; we report the
 * median ratio and its spread, not a ratio of means.
 *
 * A side may return a number, or `{value, cpu}` from `measure()`: then the CPU
 * time ratio is summarized too. On a shared machine CPU time of in-process work
 * is far less disturbed by other processes than wall time.
 */
import { summarize } from './stats.js'

/**
 * @param {object} options
 * @param {number} options.pairs  measured pairs
 * @param {number} [options.warmup] unmeasured pairs first (JIT, page cache)
 * @param {(side: 'a'|'b', i: number) => Promise<void>} [options.prepare] untimed setup before each side
 * @param {(i: number) => Promise<number|{value: number, cpu: number}>} options.a  lower is better unless the caller says otherwise
 * @param {(i: number) => Promise<number|{value: number, cpu: number}>} options.b
 * @param {boolean} [options.alternate] run odd pairs B first (A B, B A, …), so a side never
 *   always inherits the other's cache and heap state; for sub-millisecond in-process work
 */
export const runPairs = async ({ pairs, warmup = 1, prepare, a, b, log, alternate = false }) => {
  const as = []
  const bs = []
  const cpuA = []
  const cpuB = []
  for (let i = 0; i < warmup + pairs; i++) {
    const runA = async () => {
      if (prepare) await prepare('a', i)
      return a(i)
    }
    const runB = async () => {
      if (prepare) await prepare('b', i)
      return b(i)
    }
    let ra, rb
    if (alternate && i % 2 === 1) {
      rb = await runB()
      ra = await runA()
    } else {
      ra = await runA()
      rb = await runB()
    }
    if (i < warmup) continue
    const [ta, tb] = [valueOf(ra), valueOf(rb)]
    as.push(ta)
    bs.push(tb)
    if (typeof ra === 'object' && typeof rb === 'object') {
      cpuA.push(ra.cpu)
      cpuB.push(rb.cpu)
    }
    log?.(`  pair ${i - warmup + 1}/${pairs}: bento ${fmt(ta)}  baseline ${fmt(tb)}  ratio ${(ta / tb).toFixed(3)}${cpuA.length ? `  (cpu ratio ${(ra.cpu / rb.cpu).toFixed(3)})` : ''}`)
  }
  const result = { bento: summarize(as), baseline: summarize(bs), ratio: summarize(as.map((t, i) => t / bs[i])), samples: { bento: as, baseline: bs } }
  if (cpuA.length === as.length && cpuA.length > 0) result.cpuRatio = summarize(cpuA.map((t, i) => t / cpuB[i]))
  return result
}

const valueOf = (r) => (typeof r === 'object' ? r.value : r)
const fmt = (value) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3))

/** Milliseconds taken by `fn`, with high resolution. */
export const timeMs = async (fn) => {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Wall and CPU (user + system, all threads of this process) milliseconds of `fn`, each divided by `per`. */
export const measure = async (fn, per = 1) => {
  const cpu0 = process.cpuUsage()
  const start = process.hrtime.bigint()
  await fn()
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  const cpu = process.cpuUsage(cpu0)
  return { value: wall / per, cpu: (cpu.user + cpu.system) / 1000 / per }
}
