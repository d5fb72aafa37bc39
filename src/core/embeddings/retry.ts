/**
 * Backoff for calls to a remote API: exponential with full jitter (so many
 * clients retrying at once spread out), and the server's Retry-After honored
 * when it gives one, capped so a hostile or confused upstream cannot park a
 * request for an hour.
 */
export interface BackoffOptions {
  /** First retry waits up to this long. */
  baseMs: number
  /** No single wait exceeds this (including a Retry-After). */
  maxMs: number
  random?: () => number
}

export const backoffDelay = (attempt: number, options: BackoffOptions): number => {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt)
  const random = options.random ?? Math.random
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/**
 * Milliseconds the server asked us to wait: `retry-after-ms` (OpenAI), or
 * `Retry-After` as seconds or an HTTP date. Undefined when absent or unreadable.
 */
export const parseRetryAfter = (headers: Headers, now = Date.now()): number | undefined => {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN)
  if (Number.isFinite(ms) && ms >= 0) return ms
  const raw = headers.get('retry-after')?.trim()
  if (!raw) return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
