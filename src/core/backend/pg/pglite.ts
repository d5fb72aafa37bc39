/**
 * PGlite (PostgreSQL compiled to WebAssembly) with pgvector, served over the
 * PostgreSQL wire protocol on 127.0.0.1 (pglite-socket-server.ts), so
 * `pglite:<dir>` runs the very code `postgres://…` runs: one `pg` pool, one SQL.
 *
 * PGlite is one single-threaded session: the connections take it in turns, each
 * batch of a connection's messages whole and a transaction from BEGIN to its end,
 * so statements and transactions stay isolated. Session state (SET, temporary
 * tables, session-level advisory locks) is reset when another connection takes
 * the session after one that may have changed it (pglite-session-state.ts), so
 * it lasts only while its connection keeps the session; named prepared
 * statements stay shared. The backend uses only transaction-scoped locks and
 * settings.
 *
 * One process at a time opens a data dir (pglite-owner.ts).
 *
 * A fresh data dir costs an initdb, much slower than opening an existing one
 * (the README's "Three ways to run" gives the figures).
 */
import { mkdir } from 'node:fs/promises'
import type { PGlite } from '@electric-sql/pglite'
import { claimPgliteDir } from './pglite-owner.js'
import { servePglite, type PgliteSocketServer } from './pglite-socket-server.js'

export interface PgliteServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string
  readonly db: PGlite
  close(): Promise<void>
}

export interface PgliteServerOptions {
  /** The database files; in memory when absent. */
  dataDir?: string
  /** Concurrent client connections the socket server accepts. Default 64. */
  maxConnections?: number
}

/** Opens (or creates) the PGlite database, enables pgvector and serves it on a random local port. */
export const startPgliteServer = async (options: PgliteServerOptions = {}): Promise<PgliteServer> => {
  const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-pgvector')])
  let release = async (): Promise<void> => undefined
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true })
    release = await claimPgliteDir(options.dataDir)
  }
  let db: PGlite | undefined
  let server: PgliteSocketServer | undefined
  try {
    db = await PGlite.create({ ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}), extensions: { vector } })
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector')
    server = await servePglite(db, { host: '127.0.0.1', maxConnections: options.maxConnections ?? 64 })
  } catch (error) {
    await db?.close().catch(() => undefined)
    await release()
    throw error
  }
  const engine = db
  const running = server
  let closing: Promise<void> | undefined
  return {
    url: `postgres://postgres@${running.address}/postgres`,
    db: engine,
    close: () =>
      (closing ??= (async () => {
        await running.stop()
        await engine.close()
        await release()
      })()),
  }
}
