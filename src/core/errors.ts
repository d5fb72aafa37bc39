/**
 * Bento's typed errors. Every error a user can cause carries a stable `code`;
 * the CLI maps codes to exit codes once (`src/cli/exit-codes.ts`) and the server
 * maps them to HTTP statuses once (`src/server/errors.ts`).
 */
export type ErrorCode =
  | 'invalid_key'
  | 'invalid_input'
  | 'invalid_options'
  | 'not_found'
  | 'conflict'
  | 'refused'
  | 'unsafe_path'
  | 'corrupt_store'
  | 'embedder_mismatch'
  | 'unsupported_type'
  | 'too_large'
  | 'empty_file'
  | 'unreadable_file'
  | 'invalid_archive'
  | 'locked'
  | 'busy'
  | 'unauthorized'
  | 'forbidden'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'auth_unavailable'
  | 'upstream_rate_limited'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'method_not_allowed'
  | 'cancelled'
  | 'io_error'
  | 'database_unavailable'
  | 'internal'

export class BentoError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.details = options.details
  }
}

export class InvalidKeyError extends BentoError {
  constructor(message: string) {
    super('invalid_key', message)
  }
}

export class InvalidInputError extends BentoError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_input', message, { details })
  }
}

export class InvalidOptionsError extends BentoError {
  constructor(message: string) {
    super('invalid_options', message)
  }
}

export class NotFoundError extends BentoError {
  constructor(message: string) {
    super('not_found', message)
  }
}

export class ConflictError extends BentoError {
  constructor(message: string) {
    super('conflict', message)
  }
}

/** An operation that would be unsafe or that the target's state does not allow. */
export class RefusedError extends BentoError {
  constructor(message: string) {
    super('refused', message)
  }
}

/** A path that leaves the data root or passes through a symlink. */
export class UnsafePathError extends BentoError {
  constructor(message: string) {
    super('unsafe_path', message)
  }
}

export class CorruptStoreError extends BentoError {
  constructor(message: string, cause?: unknown) {
    super('corrupt_store', message, { cause })
  }
}

export class EmbedderMismatchError extends BentoError {
  constructor(message: string) {
    super('embedder_mismatch', message)
  }
}

/** A store another tool wrote (LangChain) records no embedder: which model made its vectors is unknown until declared. */
export const unknownEmbedderError = (dimension: number | undefined): EmbedderMismatchError =>
  new EmbedderMismatchError(
    `This store's embedder is unknown (written by another tool such as LangChain; ${dimension ?? '?'}-dimensional vectors): ` +
      'declare the embedder that made them with `bento adopt <key> --embedder <id>`.',
  )

export class UnsupportedTypeError extends BentoError {
  constructor(message: string) {
    super('unsupported_type', message)
  }
}

export class TooLargeError extends BentoError {
  constructor(message: string) {
    super('too_large', message)
  }
}

export class EmptyFileError extends BentoError {
  constructor(message: string) {
    super('empty_file', message)
  }
}

export class UnreadableFileError extends BentoError {
  constructor(message: string, cause?: unknown) {
    super('unreadable_file', message, { cause })
  }
}

/** A scope archive (`bento import`) that is malformed, truncated, or fails a checksum. */
export class InvalidArchiveError extends BentoError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_archive', message, { details })
  }
}

/** Another process (or operation) holds the scope's lock. */
export class LockedError extends BentoError {
  constructor(message: string) {
    super('locked', message)
  }
}

/**
 * The scope's lock was taken over by another process (this one stalled past the
 * stale timeout) or could not be kept: nothing was published; try again.
 * Code `locked`, so it maps like a held lock (exit 4, HTTP 503).
 */
export class LockLostError extends BentoError {
  constructor(message: string) {
    super('locked', message)
  }
}

/** Temporarily unavailable (e.g. a scope being migrated); retry later. */
export class BusyError extends BentoError {
  readonly retryAfterSeconds: number
  constructor(message: string, retryAfterSeconds = 1) {
    super('busy', message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export class UnauthorizedError extends BentoError {
  constructor(message: string) {
    super('unauthorized', message)
  }
}

export class ForbiddenError extends BentoError {
  constructor(message: string) {
    super('forbidden', message)
  }
}

/**
 * A verified identity whose key claim is not a valid isolation key: the caller is
 * authenticated but may not use this key (HTTP 403, still code `invalid_key`).
 */
export class InvalidKeyClaimError extends InvalidKeyError {
  constructor(message: string) {
    super(message)
  }
}

/** The identity provider's keys cannot be fetched: tokens cannot be verified, so nothing is let through. */
export class AuthUnavailableError extends BentoError {
  constructor(message: string, cause?: unknown) {
    super('auth_unavailable', message, { cause })
  }
}

/**
 * An upstream service (the language model, the embeddings API) failed. `message` may name
 * its URL and quote its body, for logs and the CLI; an HTTP client sees only `publicMessage`.
 */
export class UpstreamError extends BentoError {
  readonly publicMessage: string | undefined
  constructor(message: string, cause?: unknown, publicMessage?: string) {
    super('upstream_error', message, { cause })
    this.publicMessage = publicMessage
  }
}

export class UpstreamTimeoutError extends BentoError {
  constructor(message: string) {
    super('upstream_timeout', message)
  }
}

/** The upstream answered 429: passed on as a 429 with the upstream's Retry-After. */
export class UpstreamRateLimitedError extends BentoError {
  readonly retryAfterSeconds: number | undefined
  constructor(message: string, retryAfterSeconds: number | undefined) {
    super('upstream_rate_limited', message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** A caller over its rate limit (HTTP 429 with Retry-After): per isolation key or per access key. */
export class RateLimitedError extends BentoError {
  readonly retryAfterSeconds: number
  constructor(message: string, retryAfterSeconds = 1) {
    super('rate_limited', message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** A write that would take a scope past its quota (HTTP 413, exit 3); `details` holds the limit and the usage. */
export class QuotaExceededError extends BentoError {
  constructor(message: string, details?: { quota: Record<string, number | null>; usage: Record<string, number>; adding?: Record<string, number> }) {
    super('quota_exceeded', message, { details })
  }
}

/** A known path asked with a method it does not serve (HTTP 405 with Allow). */
export class MethodNotAllowedError extends BentoError {
  readonly allow: readonly string[]
  constructor(message: string, allow: readonly string[]) {
    super('method_not_allowed', message)
    this.allow = allow
  }
}

export class CancelledError extends BentoError {
  constructor(message = 'Cancelled.') {
    super('cancelled', message)
  }
}

/** A filesystem failure (ENOSPC, EIO, EACCES…) wrapped with what Bento was doing. */
export class IoError extends BentoError {
  readonly syscallCode: string | undefined
  constructor(message: string, cause?: unknown) {
    super('io_error', message, { cause })
    this.syscallCode = (cause as NodeJS.ErrnoException | undefined)?.code
  }
}

/**
 * The database backend cannot serve: unreachable, refused the credentials, or
 * lacks what Bento needs (PostgreSQL 14, pgvector 0.7). The message says which,
 * never the password.
 */
export class DatabaseUnavailableError extends BentoError {
  constructor(message: string, cause?: unknown) {
    super('database_unavailable', message, { cause })
  }
}

export const isBentoError = (error: unknown): error is BentoError => error instanceof BentoError

/** Wraps an unknown failure as a BentoError, keeping typed errors as they are. */
export const toBentoError = (error: unknown, doing: string): BentoError => {
  if (error instanceof BentoError) return error
  const errno = error as NodeJS.ErrnoException | undefined
  if (errno && typeof errno.code === 'string' && typeof errno.syscall === 'string') {
    return new IoError(`${doing}: ${errno.code} (${errno.syscall})`, error)
  }
  return new BentoError('internal', `${doing}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
}
