import { describe, expect, it } from 'vitest'
import { mayChangeSession } from '../../../../src/core/backend/pg/pglite-session-state.js'

describe('mayChangeSession', () => {
  it('says yes to SQL that may leave session state, no to the backend’s transaction-scoped SQL', () => {
    const changes = [
      'SET search_path = x',
      'SELECT 1; set statement_timeout = 5',
      '/* why */ RESET ALL',
      'SET ROLE reader',
      'SET SESSION AUTHORIZATION DEFAULT',
      'LISTEN updates',
      'DO $$ BEGIN PERFORM 1; END $$',
      "SELECT set_config('a', 'b', false)",
      'SELECT set_config($1, $2, $3)',
      'CREATE TEMP TABLE t (n int)',
      'SELECT pg_advisory_lock(1)',
      'DECLARE c CURSOR WITH HOLD FOR SELECT 1',
      "PREPARE p AS SELECT 1",
    ]
    const keeps = [
      'SET LOCAL hnsw.ef_search = 400; SET LOCAL hnsw.iterative_scan = strict_order',
      'UPDATE bento.scopes SET last_active_at = $3 WHERE kind = $1',
      'INSERT INTO t VALUES (1) ON CONFLICT (n) DO NOTHING',
      "SELECT set_config('lock_timeout', $1, true)",
      'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
      'SELECT id FROM bento.scopes WHERE dir = $1',
    ]
    expect(changes.filter((sql) => !mayChangeSession(sql))).toEqual([])
    expect(keeps.filter((sql) => mayChangeSession(sql))).toEqual([])
  })
})
