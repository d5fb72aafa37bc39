import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../src/core/backend/pg/database.js'
import { LATEST_VERSION, MIGRATIONS, migrationState } from '../../../../src/core/backend/pg/migrations.js'
import { checkServer, versionAtLeast } from '../../../../src/core/backend/pg/requirements.js'
import { parseDatabaseSpec, redactUrl } from '../../../../src/core/backend/pg/spec.js'
import { DatabaseUnavailableError, InvalidOptionsError } from '../../../../src/core/errors.js'
import { usePgDatabase } from '../../../helpers/pg.js'

const db = usePgDatabase()
const specFor = (schema: string) => parseDatabaseSpec(`${db.url}?schema=${schema}`)

describe('schema migrations', () => {
  it('a first open creates the schema at the latest version; a second applies nothing', async () => {
    const schema = db.schema()
    const first = await openDatabase(specFor(schema))
    try {
      expect(first.migrated.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version))
      const tables = await first.pool.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema])
      expect(tables.rows.map((row) => row.tablename)).toEqual(['chunks', 'conversations', 'documents', 'quotas', 'retired_sessions', 'schema_migrations', 'scopes', 'stores', 'uploads'])
    } finally {
      await first.close()
    }
    const second = await openDatabase(specFor(schema))
    try {
      expect(second.migrated).toEqual([])
      const client = await second.pool.connect()
      try {
        const state = await migrationState(client, schema)
        expect(state.pending).toEqual([])
        expect(state.applied.at(-1)?.version).toBe(LATEST_VERSION)
      } finally {
        client.release()
      }
    } finally {
      await second.close()
    }
  })

  it('replicas starting at once apply each migration exactly once (advisory lock, one transaction)', async () => {
    const schema = db.schema()
    const opened = await Promise.all([openDatabase(specFor(schema)), openDatabase(specFor(schema)), openDatabase(specFor(schema))])
    try {
      expect(opened.map((one) => one.migrated.length).sort()).toEqual([0, 0, MIGRATIONS.length])
    } finally {
      await Promise.all(opened.map((one) => one.close()))
    }
  })

  it('migrate: false leaves a new schema uncreated', async () => {
    const schema = db.schema()
    const opened = await openDatabase(specFor(schema), { migrate: false })
    try {
      const { rows } = await opened.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
      expect(rows).toHaveLength(0)
    } finally {
      await opened.close()
    }
  })

  it('an unreachable database is database_unavailable, and the message never shows the password', async () => {
    const spec = parseDatabaseSpec('postgres://bento:s3cret-pw@127.0.0.1:1/bento')
    const error = await openDatabase(spec).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DatabaseUnavailableError)
    expect((error as Error).message).toContain('127.0.0.1:1')
    expect((error as Error).message).not.toContain('s3cret-pw')
  })
})

/** A client answering the version queries as an old server would: such servers are not on this machine. */
const serverAnswering = (answers: { num: string; version: string; pgvector: string | undefined; createFails?: boolean }) =>
  ({
    query: async (sql: string) => {
      if (sql.includes('server_version_num')) return { rows: [{ num: answers.num, version: answers.version }] }
      if (sql.includes('pg_extension')) return { rows: answers.pgvector === undefined ? [] : [{ extversion: answers.pgvector }] }
      if (sql.startsWith('CREATE EXTENSION') && answers.createFails) throw new Error('permission denied to create extension "vector"')
      return { rows: [] }
    },
  }) as unknown as pg.ClientBase

describe('requirements checked at start', () => {
  it('refuses PostgreSQL older than 14', async () => {
    await expect(checkServer(serverAnswering({ num: '130011', version: '13.11', pgvector: '0.8.0' }))).rejects.toThrow(/PostgreSQL 13\.11 is too old: Bento needs PostgreSQL 14/)
  })

  it('refuses pgvector older than 0.7, saying how to update it', async () => {
    const check = checkServer(serverAnswering({ num: '160004', version: '16.4', pgvector: '0.6.2' }))
    await expect(check).rejects.toBeInstanceOf(DatabaseUnavailableError)
    await expect(check).rejects.toThrow(/pgvector 0\.6\.2 is too old.*ALTER EXTENSION vector UPDATE/)
  })

  it('a missing pgvector that the role cannot create says what to run', async () => {
    await expect(checkServer(serverAnswering({ num: '160004', version: '16.4', pgvector: undefined, createFails: true }))).rejects.toThrow(/not installed.*permission denied.*CREATE EXTENSION vector/)
  })

  it('accepts the real test database (PostgreSQL 14+, pgvector 0.7+)', async () => {
    const opened = await openDatabase(specFor(db.schema()), { migrate: false })
    try {
      expect(versionAtLeast(opened.server.pgvector, '0.7.0')).toBe(true)
      expect(Number.parseInt(opened.server.postgres, 10)).toBeGreaterThanOrEqual(14)
    } finally {
      await opened.close()
    }
  })

  it('compares versions numerically', () => {
    expect(versionAtLeast('0.10.0', '0.7.0')).toBe(true)
    expect(versionAtLeast('0.7.0', '0.7.0')).toBe(true)
    expect(versionAtLeast('0.6.9', '0.7.0')).toBe(false)
  })
})

describe('backend specs', () => {
  it('reads the schema from ?schema= and keeps it out of the connection URL', () => {
    expect(parseDatabaseSpec('postgres://u:p@h:5432/d?schema=tenant_a&sslmode=require')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h:5432/d?sslmode=require', schema: 'tenant_a' })
    expect(parseDatabaseSpec('pglite:/var/bento')).toEqual({ kind: 'pglite', dir: '/var/bento', schema: 'bento' })
  })

  it('refuses a schema that is not a plain identifier (it is the one name that enters SQL)', () => {
    expect(() => parseDatabaseSpec('postgres://h/d?schema=x";DROP TABLE t;--')).toThrow(InvalidOptionsError)
    expect(() => parseDatabaseSpec('postgres://h/d?schema=Upper')).toThrow(InvalidOptionsError)
  })

  it('refuses other schemes and an empty pglite dir without echoing a password', () => {
    expect(() => parseDatabaseSpec('mysql://u:hunter2@h/d')).toThrow(/postgres:\/\/.*pglite:<dir>/)
    expect(() => parseDatabaseSpec('mysql://u:hunter2@h/d')).not.toThrow(/hunter2/)
    expect(() => parseDatabaseSpec('pglite:')).toThrow(/needs a directory/)
    expect(redactUrl('postgres://u:hunter2@h/d')).toBe('postgres://u:***@h/d')
  })
})
