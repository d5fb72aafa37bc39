/**
 * Sizes as operators type them: `1048576`, `512k`, `10m`, `1g` (also `kb`/`mb`/`gb`,
 * `KiB`/`MiB`/`GiB`, any case; all binary: k = 1024). The one parser for size flags
 * (`--max-file-size`, `--max-json-size`) and their variables.
 */
import { InvalidOptionsError } from './errors.js'

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** Bytes, or undefined when `text` is not a size. */
export const tryParseByteSize = (text: string): number | undefined => {
  const match = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim())
  if (!match) return undefined
  const bytes = Number(match[1]) * UNITS[match[2]!.toLowerCase()]!
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined
}

/** @throws InvalidOptionsError naming the flag or variable. */
export const parseByteSize = (text: string, flag: string): number => {
  const bytes = tryParseByteSize(text)
  if (bytes === undefined) throw new InvalidOptionsError(`Invalid ${flag} ${JSON.stringify(text)}: use a number of bytes, or with a unit: 512k, 10m, 1g.`)
  return bytes
}
