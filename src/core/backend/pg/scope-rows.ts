/**
 * Scopes as rows: the `scopes` table keyed by (kind, dir) exactly as
 * src/core/keys.ts makes them, read back only through keys.ts, and the
 * per-scope advisory lock every change takes.
 */
import { LockedError } from '../../errors.js'
import { customScope, sessionScope, sharedScope, type Scope, type ScopeKind } from '../../keys.js'
import type { Queryable } from './store-state.js'

/** The scope a row names, through the key module; undefined for a row it would refuse. */
export const scopeOfRow = (kind: ScopeKind, key: string): Scope | undefined => {
  try {
    return kind === 'shared' ? sharedScope() : kind === 'session' ? sessionScope(key) : customScope(key)
  } catch {
    return undefined
  }
}

export const scopeIdOf = async (q: Queryable, s: string, scope: Scope): Promise<string | undefined> =>
  (await q.query<{ id: string }>(`SELECT id FROM ${s}.scopes WHERE kind = $1 AND dir = $2`, [scope.kind, scope.dir])).rows[0]?.id

/** The scope's row id, the row created (created and active `at`) when absent. Call it under the scope's lock. */
export const ensureScopeRow = async (q: Queryable, s: string, scope: Scope, at: Date): Promise<string> => {
  await q.query(
    `INSERT INTO ${s}.scopes (kind, dir, key, created_at, last_active_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (kind, dir) DO NOTHING`,
    [scope.kind, scope.dir, scope.key, at],
  )
  return (await scopeIdOf(q, s, scope))!
}

/**
 * Takes the scope's lock for the rest of the transaction: an advisory lock on a
 * hash of (schema, kind, dir), so it exists before the scope's row does and
 * excludes every process and replica on the database. Waits at most `waitMs`.
 */
export const scopeLockKey = (schema: string, scope: Scope) => `bento:${schema}:${scope.kind}/${scope.dir}`

/** True while another transaction (another process, replica or call) holds the scope's lock. Run it in a transaction. */
export const isScopeLocked = async (q: Queryable, schema: string, scope: Scope): Promise<boolean> =>
  !(await q.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS free', [scopeLockKey(schema, scope)])).rows[0]!.free

export const scopeLockedError = (scope: Scope): LockedError =>
  new LockedError(`Scope "${scope.key}" is locked by another operation; try again shortly.`)

export const lockScope = async (q: Queryable, schema: string, scope: Scope, waitMs: number): Promise<void> => {
  await q.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.round(waitMs))}ms`])
  try {
    await q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [scopeLockKey(schema, scope)])
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw scopeLockedError(scope)
    }
    throw error
  } finally {
    await q.query(`SELECT set_config('lock_timeout', '0', true)`).catch(() => undefined)
  }
}
