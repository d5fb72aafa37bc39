/** Numbers and dates as a person reads them. */
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  return unit === 0 ? `${bytes} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`
}

export const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en')} ${count === 1 ? one : many}`

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]]

/** "3 hours ago", "in 2 days", or "never". */
export const formatWhen = (iso: string | null | undefined, now = Date.now()): string => {
  if (!iso) return 'never'
  const delta = new Date(iso).getTime() - now
  for (const [unit, ms] of STEPS) if (Math.abs(delta) >= ms) return RELATIVE.format(Math.round(delta / ms), unit)
  return 'just now'
}

export const formatDate = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString('en') : '—')

export const formatScore = (score: number): string => score.toFixed(3)
