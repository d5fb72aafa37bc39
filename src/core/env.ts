/**
 * Reading Bento's environment variables: one parser per kind of value, each
 * error naming the variable (never a flag the user did not pass). Variables
 * both the CLI and the server read are defined here once.
 */
import { parseDuration } from './duration.js'
import { InvalidOptionsError } from './errors.js'

export type Env = Record<string, string | undefined>

/** The variable's trimmed value; unset or blank is undefined. */
export const envText = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value ? value : undefined
}

/** A whole number of at least `min`. */
export const envInteger = (env: Env, name: string, min = 0): number | undefined => {
  const value = envText(env, name)
  if (value === undefined) return undefined
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new InvalidOptionsError(`Invalid ${name} ${JSON.stringify(value)}: expected a whole number of at least ${min}.`)
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
