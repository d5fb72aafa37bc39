/**
 * `bento db status` and `bento db migrate`: the PostgreSQL backend's schema
 * version. Status changes nothing (it reads `schema_migrations`); migrate applies
 * what is pending, as every start of the backend does.
 */
import { openDatabase } from '../core/backend/pg/database.js'
import { LATEST_VERSION, migrationState } from '../core/backend/pg/migrations.js'
import { describeSpec, type DatabaseSpec } from '../core/backend/pg/spec.js'

export interface DbMigrationRow {
  version: number
  name: string
  /** ISO time it was applied; null while pending. */
  appliedAt: string | null
}

export interface DbStatusResult {
  /** The database, password redacted. */
  backend: string
  schema: string
  postgres: string
  pgvector: string
  /** The schema's version now (0: not created yet). */
  version: number
  /** The version this Bento brings. */
  latest: number
  upToDate: boolean
  migrations: DbMigrationRow[]
}

export interface DbMigrateResult extends DbStatusResult {
  /** Versions this run applied (empty when it was up to date). */
  applied: number[]
}

const statusOf = async (spec: DatabaseSpec, migrate: boolean): Promise<DbMigrateResult> => {
  const db = await openDatabase(spec, { migrate, poolSize: 1 })
  try {
    const client = await db.pool.connect()
    try {
      const { applied, pending } = await migrationState(client, spec.schema)
      const version = applied.at(-1)?.version ?? 0
      return {
        backend: describeSpec(spec),
        schema: spec.schema,
        postgres: db.server.postgres,
        pgvector: db.server.pgvector,
        version,
        latest: LATEST_VERSION,
        upToDate: pending.length === 0,
        migrations: [
          ...applied.map((row) => ({ version: row.version, name: row.name, appliedAt: row.appliedAt.toISOString() })),
          ...pending.map((row) => ({ version: row.version, name: row.name, appliedAt: null })),
        ],
        applied: db.migrated.map((migration) => migration.version),
      }
    } finally {
      client.release()
    }
  } finally {
    await db.close()
  }
}

/** The schema's migrations, applied and pending; changes nothing. */
export const dbStatus = async (spec: DatabaseSpec): Promise<DbStatusResult> => {
  const { applied: _, ...status } = await statusOf(spec, false)
  return status
}

/** Applies the pending migrations (one transaction, under an advisory lock: safe beside running replicas). */
export const dbMigrate = (spec: DatabaseSpec): Promise<DbMigrateResult> => statusOf(spec, true)
