/**
 * The Node request stream behind a request that @hono/node-server delivered.
 *
 * Why: reading a body through the web `Request` makes @hono/node-server build
 * an undici Request, an AbortSignal and a web stream over the Node stream. On
 * Node 20 that costs more than a whole search (figures: docs/BENCHMARKS.md,
 * bench/FINDINGS.md). Bento reads the
 * Node stream itself when it safely can, and the web body everywhere else.
 *
 * "Safely" is two checks. The request must be the very object the adapter
 * delivered with that stream: the outer app's first middleware remembers the
 * pair, so a request an operator's middleware replaced (with a body of its
 * own) is never matched. And nothing may have read the stream yet: not an
 * operator's `c.req.json()`, not a web stream built over it.
 */
import { Readable } from 'node:stream'
import type { MiddlewareHandler } from 'hono'

const delivered = new WeakMap<Request, Readable>()

/** First middleware of the outer app: pairs the adapter's request with its Node stream. */
export const rememberNodeRequest: MiddlewareHandler = async function rememberNodeRequest(c, next) {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming
  if (incoming instanceof Readable) delivered.set(c.req.raw, incoming)
  await next()
}

/**
 * The Node stream holding `request`'s body, when it was delivered with one
 * and no byte of it has been read in any way; otherwise undefined.
 */
export const unreadNodeBody = (request: Request): Readable | undefined => {
  const incoming = delivered.get(request)
  if (incoming === undefined || incoming.readableFlowing !== null || incoming.readableDidRead || incoming.destroyed) return undefined
  return incoming
}
