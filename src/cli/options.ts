/**
 * Flags every command shares and the parsers that turn raw flag strings into
 * typed values. Parsing throws `InvalidOptionsError` (exit 2) naming the flag.
 */
import path from 'node:path'
import { Option, type Command } from 'commander'
import { InvalidOptionsError } from '../core/errors.js'
import { DEFAULT_DATA_DIR } from '../core/defaults.js'
import type { ScopeKind } from '../core/keys.js'
import { DATABASE_URL_ENV } from '../core/env.js'

export interface CommonOptions {
  /** Absolute path of the data dir. */
  dataDir: string
  /** `--backend` / `BENTO_DATABASE_URL`: a database instead of the data dir. */
  backend?: string
  json: boolean
}

export { DEFAULT_DATA_DIR }

/** `--data-dir <dir>` (env `BENTO_DATA_DIR`, default `./data`). */
export const addDataDirOption = (command: Command): Command =>
  addBackendOption(command.addOption(new Option('--data-dir <dir>', 'the Bento data directory').env('BENTO_DATA_DIR').default(DEFAULT_DATA_DIR)))

/** `--backend <url>` (env `BENTO_DATABASE_URL`): `postgres://…` or `pglite:<dir>` instead of the data dir. */
export const addBackendOption = (command: Command): Command =>
  command.addOption(new Option('--backend <url>', 'store scopes in PostgreSQL (postgres://user@host/db) or embedded PGlite (pglite:<dir>) instead of the data dir').env(DATABASE_URL_ENV))

export const addJsonOption = (command: Command): Command =>
  command.option('--json', 'print the result as JSON on stdout (no color, no progress)')

export const addCommonOptions = (command: Command): Command => addJsonOption(addDataDirOption(command))

export const toCommonOptions = (raw: { dataDir?: unknown; backend?: unknown; json?: unknown }): CommonOptions => {
  const dataDir = typeof raw.dataDir === 'string' ? raw.dataDir : DEFAULT_DATA_DIR
  if (dataDir.trim() === '') throw new InvalidOptionsError('Invalid --data-dir: empty.')
  const backend = typeof raw.backend === 'string' && raw.backend.trim() !== '' ? raw.backend : undefined
  return { dataDir: path.resolve(dataDir), ...(backend === undefined ? {} : { backend }), json: raw.json === true }
}

/** Collects `--kind a,b --kind c` into one list. */
export const collectList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').map((part) => part.trim()).filter(Boolean),
]

/** Collects a repeatable flag (`--scope a --scope b`) as given. */
export const collectRepeated = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

export const ALL_KINDS: ScopeKind[] = ['shared', 'session', 'custom']

export const parseKinds = (values: string[] | undefined, flag: string, allowed: ScopeKind[] = ALL_KINDS): ScopeKind[] | undefined => {
  if (values === undefined || values.length === 0) return undefined
  for (const value of values) {
    if (!allowed.includes(value as ScopeKind)) {
      throw new InvalidOptionsError(`Invalid ${flag} ${JSON.stringify(value)}: expected ${allowed.join(', ')}.`)
    }
  }
  return [...new Set(values as ScopeKind[])]
}

export const parsePositiveInt = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidOptionsError(`Invalid ${flag} ${JSON.stringify(value)}: expected a whole number of at least 1.`)
  }
  return Number(value)
}

/** A whole number that may be 0 (`--read-freshness 0`: check on every read). */
export const parseNonNegativeInt = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidOptionsError(`Invalid ${flag} ${JSON.stringify(value)}: expected a whole number of milliseconds (0 or more).`)
  }
  return Number(value)
}

export const parseChoice = <T extends string>(value: string | undefined, flag: string, choices: readonly T[]): T | undefined => {
  if (value === undefined) return undefined
  if (!choices.includes(value as T)) throw new InvalidOptionsError(`Invalid ${flag} ${JSON.stringify(value)}: expected ${choices.join(', ')}.`)
  return value as T
}
