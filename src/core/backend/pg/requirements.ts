/**
 * What the database must offer, checked at start: PostgreSQL 14 or newer and
 * pgvector 0.7 or newer (halfvec, iterative-scan-ready HNSW). A missing
 * extension is created when the role may; otherwise the error says what to run.
 */
import type pg from 'pg'
import { DatabaseUnavailableError } from '../../errors.js'

export const MIN_SERVER_VERSION_NUM = 140000
export const MIN_PGVECTOR = '0.7.0'

export interface ServerInfo {
  /** e.g. `16.4` */
  postgres: string
  pgvector: string
}

const versionParts = (version: string): number[] => version.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0)

export const versionAtLeast = (version: string, minimum: string): boolean => {
  const have = versionParts(version)
  const want = versionParts(minimum)
  for (let i = 0; i < Math.max(have.length, want.length); i++) {
    const a = have[i] ?? 0
    const b = want[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}

const installedPgvector = async (client: pg.ClientBase): Promise<string | undefined> =>
  (await client.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).rows[0]?.extversion

export const checkServer = async (client: pg.ClientBase): Promise<ServerInfo> => {
  const { rows } = await client.query<{ num: string; version: string }>("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version")
  const num = Number(rows[0]?.num ?? 0)
  const postgres = (rows[0]?.version ?? '').split(' ')[0] ?? ''
  if (num < MIN_SERVER_VERSION_NUM) {
    throw new DatabaseUnavailableError(`PostgreSQL ${postgres} is too old: Bento needs PostgreSQL 14 or newer.`)
  }
  let pgvector = await installedPgvector(client)
  if (pgvector === undefined) {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS vector')
    } catch (error) {
      throw new DatabaseUnavailableError(
        `The pgvector extension is not installed in this database and could not be created (${(error as Error).message}). ` +
          'Install pgvector 0.7 or newer on the server and run "CREATE EXTENSION vector;" as a role allowed to.',
        error,
      )
    }
    pgvector = await installedPgvector(client)
  }
  if (pgvector === undefined || !versionAtLeast(pgvector, MIN_PGVECTOR)) {
    throw new DatabaseUnavailableError(`pgvector ${pgvector ?? '(none)'} is too old: Bento needs 0.7 or newer ("ALTER EXTENSION vector UPDATE;" after upgrading the server's package).`)
  }
  return { postgres, pgvector }
}
