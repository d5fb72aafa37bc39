import { once } from 'node:events'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../helpers/pg.js'
import { runMixedQueries } from '../../../helpers/pg-mixed-queries.js'
import { WireClient, wire } from '../../../helpers/pg-wire.js'

const db = usePgDatabase()

describe('the test database (PGlite over the wire protocol, or BENTO_TEST_DATABASE_URL)', () => {
  it('speaks the PostgreSQL protocol to the pg client, with pgvector', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 3 })
    try {
      const { rows } = await pool.query<{ version: string }>("SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'")
      expect(rows).toHaveLength(1)
      const distance = await pool.query<{ d: number }>('SELECT ($1::vector <=> $2::vector)::float8 AS d', ['[1,0,0]', '[0,1,0]'])
      expect(distance.rows[0]!.d).toBeCloseTo(1, 6)
    } finally {
      await pool.end()
    }
  })

  it('keeps one connection\'s transaction from another\'s statements (several clients, one engine)', async () => {
    const schema = db.schema()
    const pool = new pg.Pool({ connectionString: db.url, max: 4 })
    try {
      await pool.query(`CREATE SCHEMA "${schema}"`)
      await pool.query(`CREATE TABLE "${schema}".t (n int)`)
      const writer = await pool.connect()
      try {
        await writer.query('BEGIN')
        await writer.query(`INSERT INTO "${schema}".t VALUES (1)`)
        // Another connection's read, queued while the transaction is open, must not see its row.
        const reading = pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".t`)
        await writer.query('ROLLBACK')
        expect((await reading).rows[0]!.n).toBe('0')
      } finally {
        writer.release()
      }
    } finally {
      await pool.end()
    }
  })
})

const newTable = async (pool: () => pg.Pool): Promise<string> => {
  const schema = db.schema()
  await pool().query(`CREATE SCHEMA "${schema}"`)
  await pool().query(`CREATE TABLE "${schema}".t (n int)`)
  return `"${schema}".t`
}

// These speak to the PGlite server of pglite.ts itself; a real server needs no such proof.
describe.skipIf(Boolean(process.env.BENTO_TEST_DATABASE_URL?.trim()))('PGlite served to several connections (one session taken in turns)', () => {
  let shared: pg.Pool | undefined
  const pool = () => (shared ??= new pg.Pool({ connectionString: db.url, max: 8 }))
  afterAll(async () => {
    await shared?.end()
  })

  it("answers a connection's Bind with its own Parse when another connection's statement ran between them (pglite issue 1046)", async () => {
    const a = await WireClient.connect(db.url)
    const other = new pg.Client({ connectionString: db.url })
    await other.connect()
    try {
      for (const [between, params] of [
        ['SELECT $1::text AS tag', ['b']], // another parameter count: a mismatch error (08P01) before the fix
        ['SELECT $1::text || $2::text AS tag', ['b', 'c']], // the same count: another statement's rows before the fix
      ] as const) {
        const bind = wire.bind(['7', 'a'])
        a.send(wire.parse('SELECT $1::int + 0 AS n, $2::text AS tag'), bind.subarray(0, 8))
        expect((await other.query(between, [...params])).rows).toEqual([{ tag: params.join('') }])
        a.send(bind.subarray(8), wire.execute(), wire.sync())
        expect(await a.answer()).toEqual({ rows: [['7', 'a']], errors: [], status: 'I' })
      }
    } finally {
      a.close()
      await other.end()
    }
  })

  it("gives every concurrent pool query its own answer (seeded mix of small, large-parameter and table queries)", async () => {
    expect(await runMixedQueries(pool(), { schema: db.schema(), rounds: 1, perRound: 16, seed: 16, largeBytes: 100_000 })).toEqual([])
  })

  it('rolls back the transaction of a client that goes away, and serves the others', async () => {
    const table = await newTable(pool)
    const a = await WireClient.connect(db.url)
    a.send(wire.query('BEGIN'), wire.query(`INSERT INTO ${table} VALUES (1)`))
    expect((await a.answer()).status).toBe('T')
    expect((await a.answer()).status).toBe('T')
    a.close()
    expect((await pool().query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }])
  })

  it('rolls back an extended-protocol batch cut off after a Flush (its client gone before Sync)', async () => {
    const table = await newTable(pool)
    const a = await WireClient.connect(db.url)
    a.send(wire.parse(`INSERT INTO ${table} VALUES ($1::int)`), wire.bind(['1']), wire.execute(), wire.flush())
    expect(await a.answer('C')).toEqual({ rows: [], errors: [] })
    a.close()
    expect((await pool().query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }])
  })

  it('ends a connection at Terminate, rolling back its open transaction', async () => {
    const table = await newTable(pool)
    const a = await WireClient.connect(db.url)
    a.send(wire.query('BEGIN'), wire.query(`INSERT INTO ${table} VALUES (1)`))
    await a.answer()
    await a.answer()
    const closed = once(a.socket, 'close')
    a.send(wire.terminate())
    await closed
    expect((await pool().query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }])
  })

  it("does not hand one connection's session state to the next (SET, set_config, temp tables, session advisory locks)", async () => {
    const a = new pg.Client({ connectionString: db.url })
    const b = new pg.Client({ connectionString: db.url })
    await a.connect()
    await b.connect()
    const schema = db.schema()
    try {
      await a.query(`CREATE SCHEMA "${schema}"`)
      await a.query(`SET search_path = "${schema}"; SET statement_timeout = '1234ms'`)
      await a.query("SELECT set_config('application_name', 'left-behind', false), pg_advisory_lock(4242)")
      await a.query('CREATE TEMP TABLE left_behind (n int)')
      // Its own state stays with a connection while no other takes the session.
      expect((await a.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '1234ms' }])
      const stateOf = async (client: pg.Client) =>
        (await client.query<Record<string, unknown>>(
          `SELECT current_setting('search_path') AS search_path, current_setting('statement_timeout') AS statement_timeout,
                  current_setting('application_name') AS application_name, current_user = session_user AS own_role,
                  (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS advisory_locks,
                  to_regclass('pg_temp.left_behind') IS NULL AS no_temp_table`,
        )).rows[0]
      const fresh = { statement_timeout: '0', application_name: '', own_role: true, advisory_locks: 0, no_temp_table: true }
      const seenByB = await stateOf(b)
      expect(seenByB).toMatchObject(fresh)
      expect(seenByB!.search_path).not.toContain(schema)
      // The other way round: what b sets with set_config(…, false) is gone for a.
      await b.query(`SELECT set_config('statement_timeout', '7s', false)`)
      expect(await stateOf(a)).toMatchObject(fresh)
    } finally {
      await a.end()
      await b.end()
    }
  })

  it('closes a connection that sends a malformed message length (08P01), and serves the others', async () => {
    const a = await WireClient.connect(db.url)
    a.send(Buffer.from([0x51, 0, 0, 0, 2]))
    expect(await a.answer('E')).toEqual({ rows: [], errors: ['08P01'] })
    expect((await pool().query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })
})
