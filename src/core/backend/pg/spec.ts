/**
 * `--backend` / `BENTO_DATABASE_URL`: where the scopes live. `postgres://…`
 * (or `postgresql://…`) is a PostgreSQL server; `pglite:<dir>` the same backend
 * on an embedded PGlite whose files are in `<dir>`. Either may name the schema
 * Bento's tables live in with `?schema=<name>` (default `bento`).
 */
import path from 'node:path'
import { InvalidOptionsError } from '../../errors.js'
import { assertSchemaName, DEFAULT_SCHEMA } from './sql.js'

export type DatabaseSpec =
  | { kind: 'postgres'; url: string; schema: string }
  | { kind: 'pglite'; dir: string; schema: string }

export const isDatabaseSpec = (value: string): boolean => /^(postgres|postgresql|pglite):/i.test(value.trim())

/** Parses a backend spec; `source` names the flag or variable in errors. */
export const parseDatabaseSpec = (raw: string, source = '--backend'): DatabaseSpec => {
  const value = raw.trim()
  if (/^pglite:/i.test(value)) {
    const [location = '', query = ''] = value.slice('pglite:'.length).split('?', 2)
    if (location.trim() === '') throw new InvalidOptionsError(`Invalid ${source}: pglite: needs a directory (pglite:./bento-db).`)
    return { kind: 'pglite', dir: path.resolve(location), schema: schemaOf(new URLSearchParams(query), source) }
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw new InvalidOptionsError(`Invalid ${source}: not a URL (postgres://user:password@host:5432/database).`)
    }
    const schema = schemaOf(url.searchParams, source)
    url.searchParams.delete('schema')
    return { kind: 'postgres', url: url.toString(), schema }
  }
  throw new InvalidOptionsError(`Invalid ${source} ${JSON.stringify(redactUrl(value))}: expected postgres://…, postgresql://… or pglite:<dir>.`)
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
