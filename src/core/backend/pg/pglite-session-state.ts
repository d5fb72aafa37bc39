/**
 * Session state one connection may leave on PGlite's shared session, and how to
 * clear it before another connection takes the session.
 *
 * Which batches may change it is read from their SQL (simple Query and Parse
 * messages), erring towards yes: a statement starting with SET (not SET LOCAL;
 * SET ROLE and SET SESSION AUTHORIZATION included), RESET, LISTEN, PREPARE, LOAD
 * or DO, and any mention of temporary objects, cursors WITH HOLD, session advisory
 * locks, set_config without a literal `true`, or functions and procedures (whose
 * bodies could do any of it; a function already defined that sets state is not
 * seen). A false yes costs one reset at
 * the next hand-off; the backend's own SQL (SET LOCAL, set_config(…, true),
 * transaction-scoped locks) never says yes.
 */

const STATEMENT_START = String.raw`(?:^|;)\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*`
const SESSION_STATEMENT = new RegExp(`${STATEMENT_START}(?:SET(?!\\s+LOCAL\\b)|RESET|DO|LISTEN|PREPARE|LOAD)\\b`, 'i')
const SESSION_WORDS = /\b(?:TEMP|TEMPORARY|HOLD|FUNCTION|PROCEDURE|pg_advisory_lock|pg_advisory_lock_shared|pg_try_advisory_lock|pg_try_advisory_lock_shared)\b/i
const SET_CONFIG_LOCAL = /\bset_config\s*\(\s*'[^']*'\s*,\s*(?:\$\d+|'[^']*')\s*,\s*true\s*\)/gi

/** True when `sql` may change state that outlives its transaction on the session. */
export const mayChangeSession = (sql: string): boolean => {
  if (SESSION_STATEMENT.test(sql) || SESSION_WORDS.test(sql)) return true
  return /\bset_config\b/i.test(sql.replace(SET_CONFIG_LOCAL, ''))
}

/** The SQL text of a simple Query ('Q') or Parse ('P') message; undefined for other messages. */
export const sqlOfMessage = (type: string, bytes: Buffer): string | undefined => {
  if (type === 'Q') return bytes.toString('utf8', 5, Math.max(5, bytes.length - 1))
  if (type !== 'P') return undefined
  const nameEnd = bytes.indexOf(0, 5)
  if (nameEnd < 0) return undefined
  const textEnd = bytes.indexOf(0, nameEnd + 1)
  return bytes.toString('utf8', nameEnd + 1, textEnd < 0 ? bytes.length : textEnd)
}

/**
 * DISCARD ALL without DEALLOCATE ALL (the `pg` client caches its named statements
 * per connection and would run one that is gone) and without DISCARD PLANS (no
 * state of a connection's own). Runs only on an idle session.
 */
export const RESET_SESSION_SQL =
  'CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES'
