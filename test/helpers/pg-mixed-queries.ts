import type pg from 'pg'
import { seededRandom } from './hostile-keys.js'

/**
 * Rounds of concurrent parameterized queries on a pool, each answer naming the
 * query it belongs to: a small one, one with a text parameter large enough to
 * reach the server in several TCP reads (where a connection's batch was cut in
 * two on PGlite), and one on its own table. Returns every mismatch and error.
 */
export const runMixedQueries = async (pool: pg.Pool, options: { schema: string; rounds: number; perRound: number; seed: number; largeBytes?: number }): Promise<string[]> => {
  const random = seededRandom(options.seed)
  const problems: string[] = []
  const table = `"${options.schema}".numbers`
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`)
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (n int PRIMARY KEY, square int)`)
  await pool.query(`INSERT INTO ${table} SELECT n, n * n FROM generate_series(0, 999) AS n ON CONFLICT DO NOTHING`)
  const ask = async (id: number): Promise<void> => {
    const kind = Math.floor(random() * 3)
    const n = id % 1000
    try {
      if (kind === 0) {
        const { rows } = await pool.query<{ n: number }>('SELECT $1::int AS n', [n])
        if (rows.length !== 1 || rows[0]!.n !== n) problems.push(`small ${n}: ${JSON.stringify(rows)}`)
      } else if (kind === 1) {
        const length = Math.floor((options.largeBytes ?? 200_000) * (0.5 + random()))
        const { rows } = await pool.query<{ n: number; len: number }>('SELECT $1::int + 0 AS n, length($2::text) AS len', [n, 'x'.repeat(length)])
        if (rows.length !== 1 || rows[0]!.n !== n || rows[0]!.len !== length) problems.push(`large ${n}/${length}: ${JSON.stringify(rows).slice(0, 200)}`)
      } else {
        const { rows } = await pool.query<{ square: number }>(`SELECT square FROM ${table} WHERE n = $1`, [n])
        if (rows.length !== 1 || rows[0]!.square !== n * n) problems.push(`table ${n}: ${JSON.stringify(rows)}`)
      }
    } catch (error) {
      problems.push(`kind ${kind} ${n}: ${(error as { code?: string }).code ?? ''} ${(error as Error).message}`)
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    await Promise.all(Array.from({ length: options.perRound }, (_, i) => ask(round * options.perRound + i)))
  }
  return problems
}
