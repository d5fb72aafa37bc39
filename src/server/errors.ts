/**
 * The one map from Bento's error codes to HTTP statuses, and the one place an
 * error becomes a response: JSON `{ error: { code, message } }`, never a stack.
 * A `Record` over every `ErrorCode`, so a new code fails the build until it has a status.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  BentoError, BusyError, InvalidKeyClaimError, MethodNotAllowedError, RateLimitedError, toBentoError, UpstreamError, UpstreamRateLimitedError, type ErrorCode,
} from '../core/errors.js'

export const HTTP_STATUSES: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_key: 400,
  invalid_input: 400,
  invalid_options: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  refused: 409,
  embedder_mismatch: 409,
  too_large: 413,
  unsupported_type: 415,
  empty_file: 422,
  unreadable_file: 422,
  invalid_archive: 422,
  unsafe_path: 500,
  corrupt_store: 500,
  locked: 503,
  busy: 503,
  upstream_error: 502,
  upstream_timeout: 504,
  auth_unavailable: 503,
  upstream_rate_limited: 429,
  rate_limited: 429,
  quota_exceeded: 413,
  method_not_allowed: 405,
  // The client went away; nobody reads this status, but it must not look like a server fault.
  cancelled: 400,
  io_error: 500,
  database_unavailable: 503,
  internal: 500,
}

export interface ErrorBody {
  error: { code: string; message: string }
}

const RETRY_AFTER_SECONDS = 1

/** Threat: an upstream's body or URL (`connect ECONNREFUSED 10.0.0.7:4299`) reaching clients. The log has them. */
const upstreamMessage = (error: BentoError): string =>
  (error instanceof UpstreamError ? error.publicMessage : undefined) ?? 'An upstream service (the language model or the embeddings API) failed; try again later.'

/** What a client may see of an error: its code and message; internals get a generic message. */
export const describeError = (error: unknown): { status: ContentfulStatusCode; body: ErrorBody; retryAfter?: number; allow?: readonly string[] } => {
  // A raw errno error (ENOSPC, EIO…) is an io_error like any wrapped one.
  if (!(error instanceof BentoError) && !(error instanceof HTTPException)) error = toBentoError(error, 'Handling the request')
  if (error instanceof BentoError) {
    // A verified caller whose token names an unusable key is forbidden, not a bad request it could fix.
    const status = error instanceof InvalidKeyClaimError ? 403 : (HTTP_STATUSES[error.code] ?? 500)
    const retryAfter = error instanceof BusyError || error instanceof UpstreamRateLimitedError || error instanceof RateLimitedError
      ? error.retryAfterSeconds
      : error.code === 'locked' || error.code === 'auth_unavailable' || error.code === 'database_unavailable' ? RETRY_AFTER_SECONDS : undefined
    // io_error and internal messages can carry paths of the data dir, which hold isolation keys.
    const message = error.code === 'internal' || error.code === 'io_error' || error.code === 'unsafe_path'
      ? 'The server failed to complete the request.'
      : error.code === 'upstream_error' ? upstreamMessage(error)
      : error.code === 'database_unavailable' ? 'The database is unavailable; try again later.' : error.message
    // A quota refusal says which limit and how much is used, so a client can tell its user.
    const details = error.code === 'quota_exceeded' && error.details !== undefined ? error.details : {}
    return {
      status,
      body: { error: { code: error.code, message, ...details } },
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(error instanceof MethodNotAllowedError ? { allow: error.allow } : {}),
    }
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode
    const code = status === 413 ? 'too_large' : status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : status < 500 ? 'invalid_input' : 'internal'
    const message = status === 413 ? 'The request body is too large.' : error.message || 'Request failed.'
    return { status, body: { error: { code, message } } }
  }
  return { status: 500, body: { error: { code: 'internal', message: 'The server failed to complete the request.' } } }
}

export const errorResponse = (c: Context, error: unknown): Response => {
  const { status, body, retryAfter, allow } = describeError(error)
  if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter))
  if (allow !== undefined) c.header('Allow', allow.join(', '))
  return c.json(body, status)
}

export const notFoundResponse = (c: Context): Response =>
  c.json({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}.` } } satisfies ErrorBody, 404)
