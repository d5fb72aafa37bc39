/**
 * The one map from Bento's error codes to process exit codes (docs/CLI.md
 * "Exit codes"). A `Record` over every `ErrorCode`, so adding a code to
 * `errors.ts` fails the build until it is given an exit code here.
 *
 * A file Bento cannot ingest (wrong type, too large, empty, unreadable) is bad
 * input the user can fix, like an invalid key: exit 2, not a failure of Bento's.
 */
import type { ErrorCode } from '../core/errors.js'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_REFUSED = 3
export const EXIT_LOCKED = 4
export const EXIT_CANCELLED = 130

export const EXIT_CODES: Record<ErrorCode, number> = {
  invalid_key: EXIT_USAGE,
  invalid_input: EXIT_USAGE,
  invalid_options: EXIT_USAGE,
  not_found: EXIT_REFUSED,
  conflict: EXIT_REFUSED,
  refused: EXIT_REFUSED,
  unsafe_path: EXIT_REFUSED,
  corrupt_store: EXIT_REFUSED,
  embedder_mismatch: EXIT_REFUSED,
  unsupported_type: EXIT_USAGE,
  too_large: EXIT_USAGE,
  empty_file: EXIT_USAGE,
  unreadable_file: EXIT_USAGE,
  invalid_archive: EXIT_USAGE,
  locked: EXIT_LOCKED,
  busy: EXIT_LOCKED,
  unauthorized: EXIT_FAILURE,
  forbidden: EXIT_FAILURE,
  upstream_error: EXIT_FAILURE,
  upstream_timeout: EXIT_FAILURE,
  auth_unavailable: EXIT_FAILURE,
  upstream_rate_limited: EXIT_FAILURE,
  // Only the server answers it; a script that meets it through the client should wait and retry.
  rate_limited: EXIT_LOCKED,
  quota_exceeded: EXIT_REFUSED,
  method_not_allowed: EXIT_USAGE,
  cancelled: EXIT_CANCELLED,
  io_error: EXIT_FAILURE,
  database_unavailable: EXIT_FAILURE,
  internal: EXIT_FAILURE,
}

export const exitCodeFor = (code: ErrorCode): number => EXIT_CODES[code] ?? EXIT_FAILURE
