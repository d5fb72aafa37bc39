/**
 * Request bodies: read once under a byte limit, JSON parsed and validated with
 * zod. A body's top-level object is strict: an unknown field is a 400 naming it
 * (and the field it probably meant, `top_k` → `limit`), as are missing or
 * mistyped fields; a body over the limit is a 413, whether its length was
 * declared or chunked.
 */
import type { Readable } from 'node:stream'
import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { BentoError, InvalidInputError, TooLargeError } from '../core/errors.js'
import { unreadNodeBody } from './node-request.js'
import { parseInput } from './validation.js'

// fatal: false and the BOM stripped, as `Request.text()` decodes.
const utf8 = new TextDecoder()

const tooLarge = (maxBytes: number) => new TooLargeError(`The request body is larger than the ${maxBytes}-byte limit.`)

const declaredLength = (request: Request): number | undefined => {
  if (request.headers.has('transfer-encoding')) return undefined
  const value = request.headers.get('content-length')
  return value === null ? undefined : Number.parseInt(value, 10)
}

/**
 * Answers 413 before any work when the declared length is over the limit,
 * without touching the body. Chunked bodies are counted as they are read.
 */
export const declaredLengthLimit = (maxBytes: number): MiddlewareHandler =>
  async function declaredLengthLimit(c, next) {
    const declared = declaredLength(c.req.raw)
    if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes)
    await next()
  }

const readNodeStream = (incoming: Readable, maxBytes: number): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const settle = (error?: Error) => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onError)
      incoming.off('close', onClose)
      // Past the limit the rest still flows, unread: the adapter drains it after the response.
      if (error) reject(error)
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) settle(tooLarge(maxBytes))
      else chunks.push(chunk)
    }
    const onEnd = () => settle()
    const onError = () => settle(new InvalidInputError('The request body could not be read: the connection failed.'))
    const onClose = () => settle(new InvalidInputError('The request body was cut off.'))
    incoming.on('data', onData)
    incoming.on('end', onEnd)
    incoming.on('error', onError)
    incoming.on('close', onClose)
  })

const readWebStream = async (request: Request, maxBytes: number): Promise<Uint8Array> => {
  if (request.body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
}

/**
 * The body as text, at most `maxBytes` bytes (`TooLargeError` past them). The bytes
 * are counted as they arrive; `declaredLengthLimit` on the JSON routes refuses a
 * declared length over the limit before any of them.
 */
export const readBodyText = async (c: Context, maxBytes: number): Promise<string> => {
  const request = c.req.raw
  const incoming = unreadNodeBody(request)
  try {
    return utf8.decode(incoming ? await readNodeStream(incoming, maxBytes) : await readWebStream(request, maxBytes))
  } catch (error) {
    if (error instanceof BentoError) throw error
    throw new InvalidInputError('The request body could not be read.')
  }
}

export const readJsonBody = async <T extends z.ZodType>(c: Context, schema: T, maxBytes: number): Promise<z.infer<T>> => {
  const text = await readBodyText(c, maxBytes)
  let raw: unknown
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text)
  } catch {
    throw new InvalidInputError('The request body is not valid JSON.')
  }
  return parseInput(strictVersion(schema), raw, 'request body')
}

const strictVersions = new WeakMap<z.ZodType, z.ZodType>()

/** Every route's body schema, strict at the top level, whichever way the route declared it (built once per schema). */
const strictVersion = <T extends z.ZodType>(schema: T): T => {
  let strict = strictVersions.get(schema)
  if (strict === undefined) {
    strict = schema instanceof z.ZodObject ? schema.strict() : schema
    strictVersions.set(schema, strict)
  }
  return strict as T
}
