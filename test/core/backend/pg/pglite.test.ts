import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../helpers/pg.js'

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
