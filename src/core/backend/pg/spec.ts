/**
 * `--backend` / `BENTO_DATABASE_URL`: where the scopes live. `postgres://…`
 * (or `postgresql://…`) is a PostgreSQL server; `pglite:<dir>` the same backend
 * on an embedded PGlite whose files are in `<dir>`. Either may name the schema
 * Bento's tables live in with `?schema=<name>` (default `bento`).
 */
import path from 'node:path'
import { InvalidOptionsError } from '../../errors.js'
import { assertSchemaName, DEFAULT_SCHEMA } from './sql.js'

interface SpecOptions {
  schema: string
  /** Stores above this many chunks are scanned exactly (no index); `Infinity` for never. Absent: the default, 25,000. */
  exactScanAbove?: number
}

export type DatabaseSpec = ({ kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string }) & SpecOptions

export const isDatabaseSpec = (value: string): boolean => /^(postgres|postgresql|pglite):/i.test(value.trim())

/** Parses a backend spec; `source` names the flag or variable in errors. */
export const parseDatabaseSpec = (raw: string, source = '--backend'): DatabaseSpec => {
  const value = raw.trim()
  if (/^pglite:/i.test(value)) {
    const [location = '', query = ''] = value.slice('pglite:'.length).split('?', 2)
    if (location.trim() === '') throw new InvalidOptionsError(`Invalid ${source}: pglite: needs a directory (pglite:./bento-db).`)
    const params = new URLSearchParams(query)
    return { kind: 'pglite', dir: path.resolve(location), ...optionsOf(params, source) }
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw new InvalidOptionsError(`Invalid ${source}: not a URL (postgres://user:password@host:5432/database).`)
    }
    const options = optionsOf(url.searchParams, source)
    // Ours, not the server's: the pg client would send them as run-time parameters.
    url.searchParams.delete('schema')
    url.searchParams.delete(EXACT_SCAN_ABOVE)
    return { kind: 'postgres', url: url.toString(), ...options }
  }
  throw new InvalidOptionsError(`Invalid ${source} ${JSON.stringify(redactUrl(value))}: expected postgres://…, postgresql://… or pglite:<dir>.`)
}

const EXACT_SCAN_ABOVE = 'exact-scan-above'

const optionsOf = (params: URLSearchParams, source: string): SpecOptions => {
  const exactScanAbove = exactScanAboveOf(params.get(EXACT_SCAN_ABOVE), source)
  return { schema: schemaOf(params, source), ...(exactScanAbove === undefined ? {} : { exactScanAbove }) }
}

const exactScanAboveOf = (value: string | null, source: string): number | undefined => {
  if (value === null) return undefined
  if (value === 'never') return Number.POSITIVE_INFINITY
  if (/^[1-9][0-9]{0,9}$/.test(value)) return Number(value)
  throw new InvalidOptionsError(`Invalid ${source}: ${EXACT_SCAN_ABOVE} must be a number of chunks (1 or more) or "never", got ${JSON.stringify(value)}.`)
}

const schemaOf = (params: URLSearchParams, source: string): string => {
  const schema = params.get('schema') ?? DEFAULT_SCHEMA
  try {
    return assertSchemaName(schema)
  } catch (error) {
    throw new InvalidOptionsError(`Invalid ${source}: ${(error as Error).message}`)
  }
}

/** The spec as it may be printed or logged: never the password. */
export const redactUrl = (value: string): string => value.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')

export const describeSpec = (spec: DatabaseSpec): string =>
  spec.kind === 'pglite' ? `pglite:${spec.dir}` : redactUrl(spec.url)
