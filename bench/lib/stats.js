/** Order statistics for paired timings: medians and spreads, never means of ratios. */

export const quantile = (values, q) => {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

export const median = (values) => quantile(values, 0.5)

/** {median, q1, q3, min, max, n} of a sample. */
export const summarize = (values) => ({
  median: median(values),
  q1: quantile(values, 0.25),
  q3: quantile(values, 0.75),
  min: Math.min(...values),
  max: Math.max(...values),
  n: values.length,
})

/**
 * Least-squares fit y = a + b·x and its R². Used to say whether a scaling
 * curve is linear (R² near 1 on a linear fit) and what one more item costs.
 */
export const fitLine = (xs, ys) => {
  const n = xs.length
  const mx = xs.reduce((s, x) => s + x, 0) / n
  const my = ys.reduce((s, y) => s + y, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my)
    sxx += (xs[i] - mx) ** 2
    syy += (ys[i] - my) ** 2
  }
  const slope = sxx === 0 ? 0 : sxy / sxx
  const r2 = sxx === 0 || syy === 0 ? 1 : (sxy * sxy) / (sxx * syy)
  return { intercept: my - slope * mx, slope, r2 }
}

/** log-log slope: 1 is linear, 2 quadratic, 0 flat. */
export const growthExponent = (xs, ys) => {
  const points = xs.map((x, i) => [x, ys[i]]).filter(([x, y]) => x > 0 && y > 0)
  return fitLine(points.map(([x]) => Math.log(x)), points.map(([, y]) => Math.log(y))).slope
}
