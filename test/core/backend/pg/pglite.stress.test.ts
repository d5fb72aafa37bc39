import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../helpers/pg.js'
import { runMixedQueries } from '../../../helpers/pg-mixed-queries.js'

const db = usePgDatabase()

// The heavy twin of pglite.test.ts's seeded mix: before connections took PGlite's session in turns
// by whole batches, some of these answers were 08P01 errors or another query's rows.
describe('PGlite served to several connections, under load', () => {
  it('gives every one of many concurrent pool queries its own answer (30 seeded rounds of 24 on 8 connections)', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 8 })
    try {
      expect(await runMixedQueries(pool, { schema: db.schema(), rounds: 30, perRound: 24, seed: 1046 })).toEqual([])
    } finally {
      await pool.end()
    }
  })
})
