/**
 * Reading Bento's environment variables: one parser per kind of value, each
 * error naming the variable (never a flag the user did not pass). Variables
 * both the CLI and the server read are defined here once.
 */
import { parseDuration } from './duration.js'
import { InvalidOptionsError } from './errors.js'
import type { IngestLimits } from './ingest/types.js'

export type Env = Record<string, string | undefined>

/** The variable's trimmed value; unset or blank is undefined. */
export const envText = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value ? value : undefined
}

/** A whole number of at least `min` (and at most `max`, when given). */
export const envInteger = (env: Env, name: string, min = 0, max?: number): number | undefined => {
  const value = envText(env, name)
  if (value === undefined) return undefined
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min || (max !== undefined && Number(value) > max)) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`
    throw new InvalidOptionsError(`Invalid ${name} ${JSON.stringify(value)}: expected a whole number ${range}.`)
  }
  return Number(value)
}

/** A duration (`24h`, `30m`). The old `<name>_MS` spelling is refused, not ignored: ignoring it would silently run with the default. */
export const envDuration = (env: Env, name: string): number | undefined => {
  if (envText(env, `${name}_MS`) !== undefined) {
    throw new InvalidOptionsError(`${name}_MS is no longer read: set ${name} to a duration such as 24h or 30m.`)
  }
  const value = envText(env, name)
  return value === undefined ? undefined : parseDuration(value, name)
}

const ON = new Set(['1', 'true', 'yes', 'on'])
const OFF = new Set(['0', 'false', 'no', 'off'])

/** `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`, any case; anything else is refused, not read as off. */
export const envSwitch = (env: Env, name: string): boolean | undefined => {
  const value = envText(env, name)?.toLowerCase()
  if (value === undefined) return undefined
  if (ON.has(value)) return true
  if (OFF.has(value)) return false
  throw new InvalidOptionsError(`Invalid ${name} ${JSON.stringify(env[name]?.trim())}: expected 1, true, yes or on, or 0, false, no or off.`)
}

/** Comma-separated items; none is undefined. */
export const envList = (env: Env, name: string): string[] | undefined => {
  const items = envText(env, name)?.split(',').map((item) => item.trim()).filter(Boolean)
  return items && items.length > 0 ? items : undefined
}

export const SESSION_TTL_ENV = 'BENTO_SESSION_TTL'

/** `BENTO_SESSION_TTL`: the server expires sessions by it, and `inspect` reports `expiresAt` by it. */
export const sessionTtlFromEnv = (env: Env): number | undefined => envDuration(env, SESSION_TTL_ENV)

export const DATABASE_URL_ENV = 'BENTO_DATABASE_URL'
export const DATABASE_POOL_SIZE_ENV = 'BENTO_DATABASE_POOL_SIZE'

/** `BENTO_DATABASE_URL`: the backend (`postgres://…` or `pglite:<dir>`) every command and the server use instead of the data dir. */
export const databaseUrlFromEnv = (env: Env): string | undefined => envText(env, DATABASE_URL_ENV)

/** `BENTO_DATABASE_POOL_SIZE`: connections each process keeps to the database. */
export const databasePoolSizeFromEnv = (env: Env): number | undefined => envInteger(env, DATABASE_POOL_SIZE_ENV, 1)

export const EXTRACT_ENV = {
  timeout: 'BENTO_EXTRACT_TIMEOUT',
  memory: 'BENTO_EXTRACT_MEMORY_MB',
  workers: 'BENTO_EXTRACT_WORKERS',
} as const
/** Below ~16 MB V8 cannot even start a worker's heap. */
export const MIN_EXTRACT_MEMORY_MB = 16
export const MAX_EXTRACT_MEMORY_MB = 65_536

/**
 * The extraction budgets an operator sets in the environment, for `bento serve` and
 * `bento add` alike: `BENTO_EXTRACT_TIMEOUT` (a duration: `30s`, `2m`) and
 * `BENTO_EXTRACT_MEMORY_MB` (a whole number, 16 to 65536).
 */
export const extractLimitsFromEnv = (env: Env): IngestLimits => {
  const limits: IngestLimits = {}
  const timeout = envText(env, EXTRACT_ENV.timeout)
  if (timeout !== undefined) limits.extractTimeoutMs = parseDuration(timeout, EXTRACT_ENV.timeout)
  const memory = envInteger(env, EXTRACT_ENV.memory, MIN_EXTRACT_MEMORY_MB, MAX_EXTRACT_MEMORY_MB)
  if (memory !== undefined) limits.extractMemoryMb = memory
  return limits
}

/** `BENTO_EXTRACT_WORKERS`: extraction worker threads (1–999); undefined when unset. */
export const extractWorkersFromEnv = (env: Env): number | undefined => envInteger(env, EXTRACT_ENV.workers, 1, 999)

export const WALK_THREADS_ENV = 'BENTO_WALK_THREADS'

/** `BENTO_WALK_THREADS`: worker threads that walk big trees for `du`, `ls` and `cleanup` (0: the main thread only); undefined when unset. */
export const walkThreadsFromEnv = (env: Env): number | undefined => envInteger(env, WALK_THREADS_ENV, 0, 64)
