/**
 * One database connection for a backend: a `pg` pool to the PostgreSQL server
 * (or to the embedded PGlite's local socket), the requirements checked and the
 * schema migrated at open.
 */
import pg from 'pg'
import { BentoError, DatabaseUnavailableError } from '../../errors.js'
import { crashPoint } from '../../faults.js'
import { applyMigrations, type Migration } from './migrations.js'
import { checkServer, type ServerInfo } from './requirements.js'
import { describeSpec, type DatabaseSpec } from './spec.js'
import { quoteIdent } from './sql.js'

export const DEFAULT_POOL_SIZE = 10

export interface Database {
  readonly spec: DatabaseSpec
  readonly schema: string
  /** The quoted schema, for table names in SQL (`${db.s}.chunks`). */
  readonly s: string
  readonly pool: pg.Pool
  readonly server: ServerInfo
  /** Migrations this open applied (none when the schema was up to date or `migrate: false`). */
  readonly migrated: Migration[]
  /**
   * Runs `fn` in a transaction on one connection: committed when it resolves, rolled
   * back when it throws. When `giveUp` rejects before the transaction has begun (on
   * PGlite, BEGIN waits for the one session), the attempt is dropped and its error thrown.
   */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options?: { giveUp?: Promise<never> }): Promise<T>
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations at open. Default true. */
  migrate?: boolean
  /** Connections in the pool. Default 10 (`BENTO_DATABASE_POOL_SIZE` is read by the callers). */
  poolSize?: number
}

/** Connection failures as Bento errors: where (never the password) and why. */
export const databaseError = (spec: DatabaseSpec, error: unknown): BentoError => {
  if (error instanceof BentoError) return error
  const code = (error as { code?: string }).code
  const reason = error instanceof Error ? error.message : String(error)
  return new DatabaseUnavailableError(`Cannot use the database ${describeSpec(spec)}: ${code && !reason.includes(code) ? `${code} ` : ''}${reason}`, error)
}

export const openDatabase = async (spec: DatabaseSpec, options: OpenDatabaseOptions = {}): Promise<Database> => {
  let stopEmbedded: (() => Promise<void>) | undefined
  let url: string
  if (spec.kind === 'pglite') {
    const { startPgliteServer } = await import('./pglite.js')
    const embedded = await startPgliteServer({ dataDir: spec.dir }).catch((error: unknown) => {
      throw databaseError(spec, error)
    })
    stopEmbedded = () => embedded.close()
    url = embedded.url
  } else {
    url = spec.url
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? DEFAULT_POOL_SIZE })
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  const close = async () => {
    await pool.end().catch(() => undefined)
    await stopEmbedded?.()
  }
  try {
    const client = await pool.connect()
    let server: ServerInfo
    let migrated: Migration[] = []
    try {
      server = await checkServer(client)
      if (options.migrate !== false) migrated = await applyMigrations(client, spec.schema)
    } finally {
      client.release()
    }
    const transaction = async <T>(fn: (client: pg.PoolClient) => Promise<T>, transactionOptions: { giveUp?: Promise<never> } = {}): Promise<T> => {
      const { giveUp } = transactionOptions
      const connecting = pool.connect().catch((error: unknown) => {
        throw databaseError(spec, error)
      })
      let connection: pg.PoolClient
      try {
        connection = giveUp ? await Promise.race([connecting, giveUp]) : await connecting
      } catch (error) {
        // Given up while connecting: the connection, once made, goes back to the pool unused.
        void connecting.then((late) => late.release(), () => undefined)
        throw error
      }
      if (giveUp) {
        const beginning = connection.query('BEGIN')
        try {
          await Promise.race([beginning, giveUp])
        } catch (error) {
          // Still queued for the session (or BEGIN just ran): closing the connection drops or rolls it back.
          beginning.catch(() => undefined)
          connection.release(error instanceof Error ? error : true)
          throw error
        }
      }
      try {
        if (!giveUp) await connection.query('BEGIN')
        const result = await fn(connection)
        crashPoint('pg:before-commit')
        await connection.query('COMMIT')
        crashPoint('pg:after-commit')
        return result
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        connection.release()
      }
    }
    return { spec, schema: spec.schema, s: quoteIdent(spec.schema), pool, server, migrated, transaction, close }
  } catch (error) {
    await close()
    throw databaseError(spec, error)
  }
}
