/**
 * Durations as operators type them: `90s`, `30m`, `24h`, `7d`, `2w`, and
 * compounds in descending units (`1h30m`, `1d12h`). A bare number is refused:
 * `--older-than 24` could mean hours or days, and a guess here deletes data.
 * The one parser for flags (`--older-than`, `--session-ttl`) and environment
 * variables (`BENTO_SESSION_TTL`, `BENTO_CLEANUP_INTERVAL`) alike.
 */
import { InvalidOptionsError } from './errors.js'

const UNIT_MS = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const
type Unit = keyof typeof UNIT_MS
const ORDER: Unit[] = ['w', 'd', 'h', 'm', 's']
const PART = /(\d+)([wdhms])/gy

/** Milliseconds, or undefined when `text` is not a duration. */
export const tryParseDuration = (text: string): number | undefined => {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  PART.lastIndex = 0
  let total = 0
  let lastRank = -1
  let consumed = 0
  for (let match = PART.exec(trimmed); match; match = PART.exec(trimmed)) {
    const rank = ORDER.indexOf(match[2] as Unit)
    if (rank <= lastRank) return undefined
    lastRank = rank
    total += Number(match[1]) * UNIT_MS[match[2] as Unit]
    consumed = PART.lastIndex
  }
  return consumed === trimmed.length && Number.isSafeInteger(total) ? total : undefined
}

export const DURATION_HINT = 'use a number and a unit: 90s, 30m, 24h, 7d, 2w, or a compound like 1h30m'

/** @throws InvalidOptionsError naming the flag (or variable) and the accepted forms. */
export const parseDuration = (text: string, flag: string): number => {
  const ms = tryParseDuration(text)
  if (ms === undefined) throw new InvalidOptionsError(`Invalid ${flag} ${JSON.stringify(text)}: ${DURATION_HINT}.`)
  return ms
}

/** The inverse, for messages: 90061000 → `1d1h1m1s`. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return '0s'
  let rest = Math.floor(ms / 1000) * 1000
  let text = ''
  for (const unit of ORDER) {
    const count = Math.floor(rest / UNIT_MS[unit])
    if (count > 0) text += `${count}${unit}`
    rest -= count * UNIT_MS[unit]
  }
  return text
}
