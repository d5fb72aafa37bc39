/**
 * The server's logs never show an isolation key, a session id or an access key
 * in clear. Threat: keys in log lines (the seed's security note) — in headers a
 * logger is given, in an error's message (`Scope user-123 is busy`), in an errno
 * error's path (`…/vectors/isolated/user-123/hnswlib.index`) or its stack.
 * Two layers: pino's `redact` censors the fields that hold keys wherever a line
 * carries them (headers, `isolationKey`, `key`…), and errors are serialized with
 * their message, code, cause chain and stack and then scrubbed of the request's
 * own keys and of every scope directory below the data dir.
 * Tests: test/server/request-log.test.ts, test/server/error-log.test.ts.
 */
import type { Context } from 'hono'
import pino, { type Logger } from 'pino'
import { BentoError, toBentoError } from '../core/errors.js'
import type { BentoEnv } from './context.js'

export const REDACTED = '[redacted]'

const KEY_HEADERS = ['authorization', 'cookie', 'x-isolation-key', 'x-session-id', 'x-bento-client-key', 'x-bento-admin-key', 'x-muxi-client-key', 'x-muxi-admin-key']
const KEY_FIELDS = ['isolationKey', 'key', 'sessionId', 'accessKey', 'adminKey', 'clientKey', 'token', 'user_id', 'userId']

/** Field paths pino censors in every line, at the top level and one level down (`req.headers…`). */
export const REDACT_PATHS: readonly string[] = [
  ...KEY_FIELDS,
  ...KEY_FIELDS.map((field) => `*.${field}`),
  ...KEY_HEADERS.flatMap((header) => [`headers["${header}"]`, `*.headers["${header}"]`]),
]

// A scope directory in a path: `vectors/isolated/<dir>`, `uploads/isolated/<dir>`, a lock file's name.
const SCOPE_PATH = /((?:vectors|uploads)[/\\]isolated[/\\])[^/\\'"\s]+/g
const LOCK_PATH = /(locks[/\\]isolated-)[^/\\'"\s]+/g
// Characters a key is made of, so a key is replaced only where it stands as a whole word.
const KEY_CHAR = 'A-Za-z0-9_\\-'

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const scrubText = (text: string, secrets: readonly RegExp[]): string => {
  let out = text.replace(SCOPE_PATH, `$1${REDACTED}`).replace(LOCK_PATH, `$1${REDACTED}`)
  for (const secret of secrets) out = out.replace(secret, REDACTED)
  return out
}

const scrubValue = (value: unknown, secrets: readonly RegExp[], depth = 0): unknown => {
  if (typeof value === 'string') return scrubText(value, secrets)
  if (depth > 8 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, secrets, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, scrubValue(item, secrets, depth + 1)]))
}

const secretPatterns = (values: Iterable<string>): RegExp[] =>
  [...new Set(values)].filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length)
    .map((value) => new RegExp(`(?<![${KEY_CHAR}])${escape(value)}(?![${KEY_CHAR}])`, 'g'))

/** pino's error serializer (message and stack with every cause, code, own fields), scrubbed. */
export const serializeError = (error: unknown, secrets: Iterable<string> = []): unknown =>
  scrubValue(pino.stdSerializers.err(error as Error), secretPatterns(secrets))

/** The logger every server line goes through: the operator's (or a default) with Bento's redaction. */
export const redactingLogger = (logger: Logger): Logger =>
  logger.child({}, { redact: { paths: [...REDACT_PATHS], censor: REDACTED }, serializers: { err: (error: unknown) => serializeError(error) } })

/** The keys a request carries: header values (and a bearer token alone), the operator's key, the resolved scope. */
export const requestSecrets = (c: Context<BentoEnv>): string[] => {
  const secrets: string[] = []
  for (const header of KEY_HEADERS) {
    const value = c.req.header(header)
    if (!value) continue
    secrets.push(value)
    const bearer = /^\S+\s+(\S+)\s*$/.exec(value)
    if (bearer) secrets.push(bearer[1]!)
  }
  const key = c.get('isolationKey')
  if (typeof key === 'string' || typeof key === 'number') secrets.push(String(key))
  const scope = c.get('bentoState')?.scope ?? (c.var as { scope?: BentoEnv['Variables']['scope'] }).scope
  if (scope) {
    secrets.push(scope.key, scope.dir)
    if (scope.kind === 'session') secrets.push(scope.dir.replace(/^session-/, ''))
  }
  return secrets
}

/**
 * One error-level line for a request that failed in the server (a 5xx): the error with its code,
 * cause chain and stack, the route pattern and the status; none of the request's keys in clear.
 */
export const logRequestError = (logger: Logger | undefined, c: Context<BentoEnv>, error: unknown, fields: { status: number; route?: string | undefined }, message: string, level: 'error' | 'warn' = 'error'): void => {
  if (!logger) return
  const secrets = requestSecrets(c)
  // A raw errno error (EIO from a write) is logged as the io_error the client got, with the errno as its cause.
  const logged = error instanceof Error && !(error instanceof BentoError) && typeof (error as NodeJS.ErrnoException).syscall === 'string' ? toBentoError(error, 'Handling the request') : error
  const code = logged instanceof BentoError ? logged.code : 'internal'
  logger.child({}, { serializers: { err: (value: unknown) => serializeError(value, secrets) } })[level]({ err: logged, code, method: c.req.method, ...fields }, message)
}
