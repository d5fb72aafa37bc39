/**
 * Human sizes, ages and counts for tables. Sizes use binary units (KiB, MiB)
 * like `du -h`, with one decimal below 10 so small differences still show.
 */
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

export const formatBytes = (bytes: number): string => {
  if (!Number.isFinite(bytes) || bytes < 0) return '-'
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  if (unit === 0) return `${value} B`
  const shown = value < 10 ? value.toFixed(1) : Math.round(value).toString()
  return `${shown} ${BYTE_UNITS[unit]}`
}

const AGE_STEPS: Array<[limitSeconds: number, unitSeconds: number, suffix: string]> = [
  [60, 1, 's'],
  [3600, 60, 'm'],
  [86_400, 3600, 'h'],
  [86_400 * 60, 86_400, 'd'],
  [86_400 * 730, 86_400 * 30, 'mo'],
  [Number.POSITIVE_INFINITY, 86_400 * 365, 'y'],
]

/** `3h ago`, `in 20h` for a future instant, `never` when there is none. */
export const formatAge = (iso: string | null | undefined, now: number = Date.now()): string => {
  if (!iso) return 'never'
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return '-'
  const seconds = Math.round((now - at) / 1000)
  const magnitude = Math.abs(seconds)
  if (magnitude < 5) return 'just now'
  const [, unitSeconds, suffix] = AGE_STEPS.find(([limit]) => magnitude < limit) ?? AGE_STEPS[AGE_STEPS.length - 1]!
  const count = Math.floor(magnitude / unitSeconds)
  return seconds >= 0 ? `${count}${suffix} ago` : `in ${count}${suffix}`
}

export const formatCount = (count: number): string => count.toLocaleString('en-US')

export const plural = (count: number, one: string, many = `${one}s`): string => `${formatCount(count)} ${count === 1 ? one : many}`
