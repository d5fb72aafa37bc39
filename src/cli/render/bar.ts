/**
 * Proportional bars like dust and ncdu draw: eighth-block characters so a
 * small scope next to a huge one still shows a sliver instead of nothing.
 */
const PARTIALS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']

/** A bar `width` cells wide filled to `fraction` (clamped to 0..1), padded with spaces. */
export const renderBar = (fraction: number, width: number): string => {
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0
  const eighths = Math.round(clamped * width * 8)
  const full = Math.floor(eighths / 8)
  const partial = PARTIALS[eighths % 8] ?? ''
  const minimum = clamped > 0 && eighths === 0 ? PARTIALS[1]! : ''
  const bar = '█'.repeat(full) + partial + minimum
  return bar.padEnd(width)
}

export const formatPercent = (fraction: number): string =>
  `${(Number.isFinite(fraction) ? fraction * 100 : 0).toFixed(fraction > 0 && fraction < 0.1 ? 1 : 0)}%`
