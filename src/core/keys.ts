/**
 * Isolation keys: the only module that turns a user-supplied string into a
 * `Scope`, and the only one that names a scope's directory.
 *
 * The rule (README "Isolation keys"):
 * - `shared` is the shared scope (isolation `none`, and the seed's legacy key).
 * - A session id is 32 hex digits or a UUID, any case; it is normalized to 32
 *   lowercase hex. Its directory is `session-<32 hex>`.
 * - A custom key is 1–120 ASCII characters from `A-Z a-z 0-9 _ - . : | @ +`,
 *   starting with a letter, digit, `_` or `-` (so `..` or `.hidden` is never a key).
 *   Unicode is rejected, not normalized: NFC/NFD and case folding make two
 *   different keys one directory on some filesystems. Keys are never "cleaned up".
 * - Directory names of custom keys: `[a-z0-9_-]` stand for themselves; an
 *   uppercase letter X becomes `^x`; `.` `:` `|` `@` `+` become `~d` `~c` `~p`
 *   `~a` `~s`. A name that would be a Windows device name, or would look like a
 *   session directory, is prefixed with `~-`. The mapping is injective on
 *   case-insensitive filesystems too, reversible, at most 242 bytes, and never
 *   contains `/`, `\`, NUL, `:`, `.`, a control character or a trailing space.
 */
import { InvalidKeyError } from './errors.js'

declare const scopeBrand: unique symbol

export type ScopeKind = 'shared' | 'session' | 'custom'

/** A validated isolation scope. Only this module can make one. */
export interface Scope {
  readonly kind: ScopeKind
  /** The key as the user knows it: `shared`, the normalized session id, or the custom key. */
  readonly key: string
  /** The directory name: `shared`, or the name under `isolated/`. */
  readonly dir: string
  readonly [scopeBrand]: true
}

export const SHARED_KEY = 'shared'
export const MAX_CUSTOM_KEY_LENGTH = 120

const SESSION_HEX = /^[0-9a-fA-F]{32}$/
const SESSION_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const SESSION_DIR = /^session-[0-9a-f]{32}$/
const CUSTOM_KEY = /^[A-Za-z0-9_-][A-Za-z0-9_\-.:|@+]*$/
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)$/i
const RESERVED_PREFIX = '~-'

const ESCAPES: Record<string, string> = { '.': '~d', ':': '~c', '|': '~p', '@': '~a', '+': '~s' }
const UNESCAPES: Record<string, string> = Object.fromEntries(Object.entries(ESCAPES).map(([raw, code]) => [code[1]!, raw]))

const makeScope = (kind: ScopeKind, key: string, dir: string): Scope => Object.freeze({ kind, key, dir }) as Scope

const describe = (raw: string): string => {
  const shown = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)
  return `${shown} (${raw.length} chars)`
}

export const sharedScope = (): Scope => makeScope('shared', SHARED_KEY, SHARED_KEY)

export const isSessionId = (raw: string): boolean => SESSION_HEX.test(raw) || SESSION_UUID.test(raw)

/** A session id: 32 hex digits or a UUID (any case), normalized to 32 lowercase hex. */
export const sessionScope = (raw: unknown): Scope => {
  if (typeof raw !== 'string' || !isSessionId(raw)) {
    throw new InvalidKeyError(`Invalid session id ${typeof raw === 'string' ? describe(raw) : `of type ${typeof raw}`}: expected 32 hex digits or a UUID.`)
  }
  const id = raw.replaceAll('-', '').toLowerCase()
  return makeScope('session', id, `session-${id}`)
}

/** A key from an auth system (or `shared`). Throws `InvalidKeyError` for anything outside the rule. */
export const customScope = (raw: unknown): Scope => {
  if (typeof raw !== 'string') throw new InvalidKeyError(`Invalid isolation key of type ${typeof raw}.`)
  if (raw === SHARED_KEY) return sharedScope()
  if (raw.length === 0) throw new InvalidKeyError('Invalid isolation key: empty.')
  if (raw.length > MAX_CUSTOM_KEY_LENGTH) {
    throw new InvalidKeyError(`Invalid isolation key ${describe(raw)}: longer than ${MAX_CUSTOM_KEY_LENGTH} characters.`)
  }
  if (!CUSTOM_KEY.test(raw)) {
    throw new InvalidKeyError(
      `Invalid isolation key ${describe(raw)}: only ASCII letters, digits and _ - . : | @ + are allowed, starting with a letter, digit, _ or -.`,
    )
  }
  return makeScope('custom', raw, encodeCustomKey(raw))
}

const encodeCustomKey = (key: string): string => {
  let dir = ''
  for (const char of key) {
    if (ESCAPES[char]) dir += ESCAPES[char]
    else if (char >= 'A' && char <= 'Z') dir += `^${char.toLowerCase()}`
    else dir += char
  }
  return WINDOWS_DEVICE.test(dir) || SESSION_DIR.test(dir) ? RESERVED_PREFIX + dir : dir
}

const decodeCustomDir = (dir: string): string | undefined => {
  const body = dir.startsWith(RESERVED_PREFIX) ? dir.slice(RESERVED_PREFIX.length) : dir
  let key = ''
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!
    if (char === '~') {
      const raw = UNESCAPES[body[++i] ?? '']
      if (raw === undefined) return undefined
      key += raw
    } else if (char === '^') {
      const next = body[++i] ?? ''
      if (next < 'a' || next > 'z') return undefined
      key += next.toUpperCase()
    } else {
      key += char
    }
  }
  return key
}

/**
 * The scope a directory name under `isolated/` (or `shared`) stands for.
 * Anything `dirName(scope)` could not have produced is rejected, so a planted
 * `..`, `.hidden` or `Foo` never names a scope.
 */
export const scopeFromDirName = (dir: string): Scope => {
  const scope = parseScopeDirName(dir)
  if (scope === undefined) throw new InvalidKeyError(`Not a Bento scope directory: ${describe(dir)}.`)
  return scope
}

/** `scopeFromDirName` without the throw: a listing of 100k names parses each once and throws for none. */
export const parseScopeDirName = (dir: string): Scope | undefined => {
  if (dir === SHARED_KEY) return sharedScope()
  // The pattern admits exactly the normalized ids `sessionScope` makes (32 lowercase hex).
  if (SESSION_DIR.test(dir)) return makeScope('session', dir.slice('session-'.length), dir)
  const key = decodeCustomDir(dir)
  if (key !== undefined && key !== SHARED_KEY && CUSTOM_KEY.test(key) && key.length <= MAX_CUSTOM_KEY_LENGTH) {
    const scope = customScope(key)
    if (scope.dir === dir) return scope
  }
  return undefined
}

export const isScopeDirName = (dir: string): boolean => parseScopeDirName(dir) !== undefined

/**
 * What an operator types on the command line: a key or its directory name
 * (`shared`, `session-<32 hex>`, `user-456`, `tenant_a:user_1`, `user_2Abc`).
 * Directory names and custom keys never read differently: a string valid as both
 * (plain lowercase) names the same scope either way.
 */
export const scopeFromArg = (raw: unknown): Scope => {
  if (typeof raw !== 'string') throw new InvalidKeyError(`Invalid scope of type ${typeof raw}.`)
  if (isScopeDirName(raw)) return scopeFromDirName(raw)
  return customScope(raw)
}

/** The tenant of a compound key `tenant_a:user_1` (the part before the first `:`), else the key. */
export const tenantOf = (scope: Scope): string => {
  const colon = scope.key.indexOf(':')
  return scope.kind === 'custom' && colon > 0 ? scope.key.slice(0, colon) : scope.key
}

export const isScope = (value: unknown): value is Scope =>
  typeof value === 'object' && value !== null && Object.isFrozen(value) && 'dir' in value && 'kind' in value && 'key' in value
