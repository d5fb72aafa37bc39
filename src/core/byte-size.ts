/**
 * Sizes as people write them for memory settings: `512M`, `1.5G`, `768MiB`,
 * `268435456`. Units are binary (K = 1024), as for RAM; a bare number is bytes.
 */
import { InvalidOptionsError } from './errors.js'

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }
const PATTERN = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i

/**
 * @throws InvalidOptionsError naming `source` (a flag or a variable) when the text is not a size.
 * @example
 * parseByteSize('512M', '--max-store-memory') // 536870912
 */
export const parseByteSize = (text: string, source: string): number => {
  const match = PATTERN.exec(text.trim())
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!) : Number.NaN
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidOptionsError(`Invalid ${source} ${JSON.stringify(text)}: expected a size such as 512M, 2G or a number of bytes.`)
  }
  return bytes
}

/** `536870912` → `512 MiB`, for messages and docs. */
export const formatByteSize = (bytes: number): string => {
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`
  }
  return `${bytes} B`
}
