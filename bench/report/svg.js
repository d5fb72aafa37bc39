/**
 * A tiny SVG chart writer: line charts (scaling curves, log-log) and horizontal
 * bar charts (ratios with their spread and the target). No browser, no chart
 * library: the charts are plain text committed beside the numbers.
 */

const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#4a5568']
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12"'

const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const niceTicks = (min, max, count = 5) => {
  const span = max - min || Math.abs(max) || 1
  const step0 = span / count
  const mag = 10 ** Math.floor(Math.log10(step0))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag
  const ticks = []
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
  return ticks
}

const logTicks = (min, max) => {
  const ticks = []
  for (let p = Math.floor(Math.log10(min)); p <= Math.ceil(Math.log10(max)); p++) ticks.push(10 ** p)
  return ticks
}

export const formatNumber = (value) => {
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${+(value / 1e6).toPrecision(3)}M`
  if (abs >= 1e3) return `${+(value / 1e3).toPrecision(3)}k`
  if (abs >= 1 || abs === 0) return `${+value.toPrecision(3)}`
  return `${+value.toPrecision(2)}`
}

/**
 * @param {object} chart
 * @param {string} chart.title
 * @param {string} chart.xLabel
 * @param {string} chart.yLabel
 * @param {Array<{name: string, points: Array<[number, number]>}>} chart.series
 * @param {boolean} [chart.logX]
 * @param {boolean} [chart.logY]
 * @example renderLineChart({ title: 'du', xLabel: 'scopes', yLabel: 'ms', logX: true, logY: true, series: [{ name: 'bento', points: [[1000, 40], [10000, 300]] }] })
 */
export const renderLineChart = ({ title, xLabel, yLabel, series, logX = false, logY = false, width = 640, height = 360 }) => {
  const pad = { left: 64, right: 150, top: 36, bottom: 48 }
  const plotW = width - pad.left - pad.right
  const plotH = height - pad.top - pad.bottom
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0))
  if (all.length === 0) return emptyChart(title, width, height)
  const xs = all.map(([x]) => x)
  const ys = all.map(([, y]) => y)
  const xMin = Math.min(...xs)
  const xMax = Math.max(...xs)
  const yMin = logY ? Math.min(...ys) : Math.min(0, ...ys)
  const yMax = Math.max(...ys)
  const xTicks = logX ? logTicks(xMin, xMax) : niceTicks(xMin, xMax)
  const yTicks = logY ? logTicks(yMin, yMax) : niceTicks(yMin, yMax)
  const [x0, x1] = [Math.min(xTicks[0], xMin), Math.max(xTicks.at(-1), xMax)]
  const [y0, y1] = [Math.min(yTicks[0], yMin), Math.max(yTicks.at(-1), yMax)]
  const fx = (x) => pad.left + (logX ? (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0) || 1) : (x - x0) / (x1 - x0 || 1)) * plotW
  const fy = (y) => pad.top + plotH - (logY ? (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1) : (y - y0) / (y1 - y0 || 1)) * plotH
  const parts = [header(width, height), `<text x="${width / 2}" y="20" text-anchor="middle" font-weight="600">${esc(title)}</text>`]
  for (const t of yTicks) {
    parts.push(`<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${fy(t).toFixed(1)}" y2="${fy(t).toFixed(1)}" stroke="#e2e8f0"/>`)
    parts.push(`<text x="${pad.left - 6}" y="${(fy(t) + 4).toFixed(1)}" text-anchor="end">${formatNumber(t)}</text>`)
  }
  for (const t of xTicks) {
    parts.push(`<line x1="${fx(t).toFixed(1)}" x2="${fx(t).toFixed(1)}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="#edf2f7"/>`)
    parts.push(`<text x="${fx(t).toFixed(1)}" y="${pad.top + plotH + 16}" text-anchor="middle">${formatNumber(t)}</text>`)
  }
  parts.push(`<rect x="${pad.left}" y="${pad.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#a0aec0"/>`)
  parts.push(`<text x="${pad.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}${logX ? ' (log)' : ''}</text>`)
  parts.push(`<text transform="translate(14 ${pad.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}${logY ? ' (log)' : ''}</text>`)
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0))
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="5 4" ' : ''}points="${pts.map(([x, y]) => `${fx(x).toFixed(1)},${fy(y).toFixed(1)}`).join(' ')}"/>`)
    for (const [x, y] of pts) parts.push(`<circle cx="${fx(x).toFixed(1)}" cy="${fy(y).toFixed(1)}" r="3" fill="${color}"><title>${esc(s.name)}: ${formatNumber(x)} → ${formatNumber(y)}</title></circle>`)
    const ly = pad.top + 10 + i * 18
    parts.push(`<line x1="${width - pad.right + 12}" x2="${width - pad.right + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="5 4"' : ''}/>`)
    parts.push(`<text x="${width - pad.right + 38}" y="${ly + 4}">${esc(s.name)}</text>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

/**
 * Horizontal bars: one per benchmark, the median ratio with a whisker for its
 * spread (IQR) and a tick for the target.
 * @param {Array<{label: string, value: number, low?: number, high?: number, target?: number, missed?: boolean}>} bars
 * @example renderBarChart({ title: 'Bento / baseline', xLabel: 'time ratio', bars: [{ label: 'du', value: 1.2, low: 1.1, high: 1.3, target: 1.5 }] })
 */
export const renderBarChart = ({ title, xLabel, bars, width = 640 }) => {
  if (bars.length === 0) return emptyChart(title, width, 120)
  const rowH = 28
  const pad = { left: 230, right: 70, top: 36, bottom: 44 }
  const height = pad.top + pad.bottom + rowH * bars.length
  const plotW = width - pad.left - pad.right
  const xMax = Math.max(1, ...bars.flatMap((b) => [b.value, b.high ?? 0, b.target ?? 0]).filter(Number.isFinite)) * 1.1
  const ticks = niceTicks(0, xMax)
  const top = Math.max(xMax, ticks.at(-1))
  const fx = (x) => pad.left + (x / top) * plotW
  const parts = [header(width, height), `<text x="${width / 2}" y="20" text-anchor="middle" font-weight="600">${esc(title)}</text>`]
  for (const t of ticks) {
    parts.push(`<line x1="${fx(t).toFixed(1)}" x2="${fx(t).toFixed(1)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#edf2f7"/>`)
    parts.push(`<text x="${fx(t).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle">${formatNumber(t)}</text>`)
  }
  parts.push(`<line x1="${fx(1).toFixed(1)}" x2="${fx(1).toFixed(1)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#718096" stroke-dasharray="3 3"/>`)
  bars.forEach((bar, i) => {
    const y = pad.top + i * rowH
    const color = bar.missed ? '#c53030' : '#2b6cb0'
    parts.push(`<text x="${pad.left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(bar.label)}</text>`)
    if (Number.isFinite(bar.value)) {
      parts.push(`<rect x="${pad.left}" y="${y + 6}" width="${Math.max(1, fx(bar.value) - pad.left).toFixed(1)}" height="${rowH - 12}" fill="${color}" opacity="0.8"><title>${esc(bar.label)}: ${bar.value.toFixed(3)}</title></rect>`)
      parts.push(`<text x="${(fx(Math.max(bar.value, bar.high ?? 0)) + 6).toFixed(1)}" y="${y + rowH / 2 + 4}">${bar.value.toFixed(2)}×</text>`)
    }
    if (Number.isFinite(bar.low) && Number.isFinite(bar.high)) {
      const cy = y + rowH / 2
      parts.push(`<line x1="${fx(bar.low).toFixed(1)}" x2="${fx(bar.high).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="#1a202c" stroke-width="1.5"/>`)
      for (const end of [bar.low, bar.high]) parts.push(`<line x1="${fx(end).toFixed(1)}" x2="${fx(end).toFixed(1)}" y1="${cy - 5}" y2="${cy + 5}" stroke="#1a202c" stroke-width="1.5"/>`)
    }
    if (Number.isFinite(bar.target)) {
      parts.push(`<line x1="${fx(bar.target).toFixed(1)}" x2="${fx(bar.target).toFixed(1)}" y1="${y + 2}" y2="${y + rowH - 2}" stroke="#d69e2e" stroke-width="3"><title>target ${bar.target}</title></line>`)
    }
  })
  parts.push(`<text x="${pad.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)} — bar: median, whisker: IQR, gold tick: target, red: target missed</text>`)
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

const header = (width, height) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT} fill="#1a202c">\n<rect width="100%" height="100%" fill="#ffffff"/>`

const emptyChart = (title, width, height) =>
  `${header(width, height)}\n<text x="${width / 2}" y="${height / 2}" text-anchor="middle">${esc(title)}: no data</text>\n</svg>\n`
