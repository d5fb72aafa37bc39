/**
 * The paired runner: Bento (A) and its baseline (B) alternate A B A B … in one
 * process and one run, so drift in the machine (other test suites, page cache,
 * thermal) hits both sides alike. Each pair gives one ratio A/B; we report the
 * median ratio and its spread, not a ratio of means.
 */
import { summarize } from './stats.js'

/**
 * @param {object} options
 * @param {number} options.pairs  measured pairs
 * @param {number} [options.warmup] unmeasured pairs first (JIT, page cache)
 * @param {(side: 'a'|'b', i: number) => Promise<void>} [options.prepare] untimed setup before each side
 * @param {(i: number) => Promise<number>} options.a  returns elapsed ms (or another cost: lower is better)
 * @param {(i: number) => Promise<number>} options.b
 */
export const runPairs = async ({ pairs, warmup = 1, prepare, a, b, log }) => {
  const as = []
  const bs = []
  for (let i = 0; i < warmup + pairs; i++) {
    if (prepare) await prepare('a', i)
    const ta = await a(i)
    if (prepare) await prepare('b', i)
    const tb = await b(i)
    if (i < warmup) continue
    as.push(ta)
    bs.push(tb)
    log?.(`  pair ${i - warmup + 1}/${pairs}: bento ${fmt(ta)}  baseline ${fmt(tb)}  ratio ${(ta / tb).toFixed(3)}`)
  }
  const ratios = as.map((t, i) => t / bs[i])
  return { bento: summarize(as), baseline: summarize(bs), ratio: summarize(ratios), samples: { bento: as, baseline: bs } }
}

const fmt = (value) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3))

/** Milliseconds taken by `fn`, with high resolution. */
export const timeMs = async (fn) => {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}
