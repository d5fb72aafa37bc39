import { randomBytes } from 'node:crypto'
import { cp, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startPgliteServer, type PgliteServer } from '../../src/core/backend/pg/pglite.js'

/**
 * A PostgreSQL with pgvector for tests: BENTO_TEST_DATABASE_URL when set (a real
 * server), otherwise PGlite served over the wire protocol on 127.0.0.1, so the
 * `pg` client talks to it as to a server. Nothing to install by hand.
 *
 * A fresh PGlite costs an initdb (~20 s here); an initialized data dir opens in
 * ~2 s. So the first start on a machine builds a template dir in the OS temp dir
 * (named by the PGlite version) and every server starts from a copy of it: one
 * server per test file, one schema per test.
 */
export interface TestDatabase {
  readonly url: string
  close(): Promise<void>
}

const templateDir = async (): Promise<string> => {
  // The package's exports hide its package.json: find it beside the resolved entry.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const { version } = JSON.parse(await readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }
  const dir = path.join(os.tmpdir(), `bento-pglite-template-${version}`)
  if (await stat(path.join(dir, 'PG_VERSION')).catch(() => undefined)) return dir
  const building = await mkdtemp(path.join(os.tmpdir(), 'bento-pglite-building-'))
  const server = await startPgliteServer({ dataDir: building })
  await server.close()
  // Two workers may build at once: the first rename wins, the loser's copy is dropped.
  await rename(building, dir).catch(async () => rm(building, { recursive: true, force: true }))
  return dir
}

/** A new temp dir holding an initialized PGlite database with pgvector (a copy of the template), for `pglite:<dir>` tests; remove it after. */
export const copyPgliteTemplate = async (): Promise<string> => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-pglite-'))
  await cp(await templateDir(), dataDir, { recursive: true })
  return dataDir
}

export const startTestDatabase = async (): Promise<TestDatabase> => {
  const external = process.env.BENTO_TEST_DATABASE_URL?.trim()
  if (external) return { url: external, close: async () => undefined }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-pglite-'))
  let server: PgliteServer
  try {
    await cp(await templateDir(), dataDir, { recursive: true })
    server = await startPgliteServer({ dataDir })
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  return {
    url: server.url,
    close: async () => {
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * One database per test file, started before its tests; `schema()` gives each
 * test its own schema, dropped after it.
 */
export const usePgDatabase = () => {
  let database: TestDatabase | undefined
  const made: string[] = []
  beforeAll(async () => {
    database = await startTestDatabase()
  }, 120_000)
  afterEach(async () => {
    const schemas = made.splice(0)
    if (schemas.length === 0 || !database) return
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    } finally {
      await client.end()
    }
  })
  afterAll(async () => {
    await database?.close()
  })
  return {
    get url(): string {
      if (!database) throw new Error('usePgDatabase: the database is not started yet (use it inside a test)')
      return database.url
    },
    /** A new schema name for this test; dropped with everything in it after the test. */
    schema(): string {
      const name = `t_${randomBytes(6).toString('hex')}`
      made.push(name)
      return name
    },
  }
}
