/**
 * Seeded randomness for the generators: the same seed gives the same data dir,
 * the same vectors and the same queries on every machine, so two runs measure
 * the same work.
 */

/** mulberry32: tiny, fast, good enough for test data (not for anything secret). */
export const createRng = (seed) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    /** Standard normal (Box–Muller). */
    gaussian: () => {
      const u = 1 - next()
      const v = next()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    /** Pareto(xm, alpha): most draws near xm, a heavy tail of large ones. */
    pareto: (xm, alpha) => xm / Math.pow(1 - next(), 1 / alpha),
    pick: (items) => items[Math.floor(next() * items.length)],
    hex: (length) => {
      let out = ''
      for (let i = 0; i < length; i++) out += Math.floor(next() * 16).toString(16)
      return out
    },
  }
}

/** A child seed per item, so item i is the same whether 1k or 100k items are made. */
export const seedFor = (seed, ...parts) => {
  let h = 2166136261 ^ seed
  for (const part of parts) {
    const text = String(part)
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
    h = Math.imul(h ^ 0x2f, 16777619)
  }
  return h >>> 0
}
