import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  MAX_CUSTOM_KEY_LENGTH,
  customScope,
  isScopeDirName,
  scopeFromArg,
  scopeFromDirName,
  sessionScope,
  sharedScope,
  tenantOf,
} from '../../src/core/keys.js'
import { InvalidKeyError } from '../../src/core/errors.js'

const CUSTOM_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:|@+'
const LEADING_CHARS = CUSTOM_CHARS.replace(/[.:|@+]/g, '')
const customKey = fc
  .tuple(
    fc.constantFrom(...LEADING_CHARS.split('')),
    fc.array(fc.constantFrom(...CUSTOM_CHARS.split('')), { maxLength: MAX_CUSTOM_KEY_LENGTH - 1 }),
  )
  .map(([first, rest]) => first + rest.join(''))
  .filter((key) => key !== 'shared')

const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i

const expectPortable = (dir: string) => {
  expect(dir).not.toMatch(/[/\\\0:]/)
  // eslint-disable-next-line no-control-regex
  expect(dir).not.toMatch(/[\x00-\x1f\x7f]/)
  expect(dir).not.toMatch(/^\.{1,2}$/)
  expect(dir).not.toMatch(/[. ]$/)
  expect(dir).not.toMatch(WINDOWS_DEVICES)
  expect(Buffer.byteLength(dir)).toBeLessThanOrEqual(255)
}

describe('session ids', () => {
  it('accepts 32 hex digits and normalizes case', () => {
    const scope = sessionScope('ABCDEF0123456789abcdef0123456789')
    expect(scope).toMatchObject({ kind: 'session', key: 'abcdef0123456789abcdef0123456789', dir: 'session-abcdef0123456789abcdef0123456789' })
  })

  it('accepts crypto.randomUUID() as the seed frontend sends it', () => {
    const uuid = crypto.randomUUID()
    const scope = sessionScope(uuid)
    expect(scope.key).toBe(uuid.replaceAll('-', ''))
    expect(sessionScope(uuid.toUpperCase()).dir).toBe(scope.dir)
  })

  it.each(['', 'abc123', 'g'.repeat(32), `${'a'.repeat(32)} `, 'a'.repeat(33), '../' + 'a'.repeat(29), 'a'.repeat(31) + '\0'])(
    'rejects %j',
    (raw) => {
      expect(() => sessionScope(raw)).toThrow(InvalidKeyError)
    },
  )

  it('rejects non-strings with a typed error', () => {
    expect(() => sessionScope(undefined)).toThrow(InvalidKeyError)
    expect(() => sessionScope(42)).toThrow(InvalidKeyError)
  })
})

describe('custom keys', () => {
  it.each([
    ['user-456', 'user-456'],
    ['550e8400-e29b-41d4-a716-446655440000', '550e8400-e29b-41d4-a716-446655440000'],
    ['V1StGXR8_Z5jdHi6B-myT', '^v1^st^g^x^r8_^z5jd^hi6^b-my^t'],
    ['user_2abcXYZ', 'user_2abc^x^y^z'],
    ['auth0|64f1c2', 'auth0~p64f1c2'],
    ['google-oauth2|123', 'google-oauth2~p123'],
    ['tenant_a:user_1', 'tenant_a~cuser_1'],
    ['jane.doe+x@example.com', 'jane~ddoe~sx~aexample~dcom'],
  ])('accepts %s as directory %s', (key, dir) => {
    const scope = customScope(key)
    expect(scope).toMatchObject({ kind: 'custom', key, dir })
    expect(scopeFromDirName(dir)).toEqual(scope)
  })

  it('maps the key "shared" to the shared scope (the seed legacy fallback)', () => {
    expect(customScope('shared')).toEqual(sharedScope())
  })

  it.each([
    ['empty', ''],
    ['dot-dot', '..'],
    ['a single dot', '.'],
    ['a leading dot', '.hidden'],
    ['a leading colon', ':user'],
    ['a traversal', '../etc/passwd'],
    ['a percent-encoded traversal', '%2e%2e%2f'],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['NUL', 'a\0b'],
    ['a newline', 'a\nb'],
    ['a space', 'a b'],
    ['whitespace only', '   '],
    ['fullwidth dots', '\uff0e\uff0e'],
    ['a fullwidth slash', 'a\uff0fb'],
    ['non-ASCII letters', 'jos\u00e9'],
    ['a combining accent', 'jose\u0301'],
    ['an absolute path', '/etc'],
    ['a drive path', 'C:\\x'],
    ['a tilde', '~root'],
    ['a caret', 'a^b'],
    ['too long', 'a'.repeat(MAX_CUSTOM_KEY_LENGTH + 1)],
  ])('rejects %s', (_name, raw) => {
    expect(() => customScope(raw)).toThrow(InvalidKeyError)
  })

  it('never cleans a key up: an invalid key is rejected, not rewritten', () => {
    expect(() => customScope(' user-1')).toThrow(/only ASCII/)
  })

  it('escapes Windows device names and session-like names', () => {
    expect(customScope('con').dir).toBe('~-con')
    expect(customScope('LPT1').dir).toBe('^l^p^t1')
    const sessionLike = `session-${'a'.repeat(32)}`
    expect(customScope(sessionLike).dir).toBe(`~-${sessionLike}`)
    expect(scopeFromDirName(`~-${sessionLike}`).kind).toBe('custom')
  })

  it('round-trips every valid key through its directory name (property)', () => {
    fc.assert(
      fc.property(customKey, (key) => {
        const scope = customScope(key)
        expectPortable(scope.dir)
        expect(scopeFromDirName(scope.dir)).toEqual(scope)
      }),
      { numRuns: 2000 },
    )
  })

  it('is injective even on case-insensitive filesystems (property)', () => {
    fc.assert(
      fc.property(customKey, customKey, (a, b) => {
        fc.pre(a !== b)
        expect(customScope(a).dir.toLowerCase()).not.toBe(customScope(b).dir.toLowerCase())
      }),
      { numRuns: 2000 },
    )
  })
})

describe('directory names', () => {
  it.each(['..', '.', '.hidden', 'User', '~x', '~-user', '^A', 'a~', 'a^', 'a b', '', 'shared.lock', `session-${'A'.repeat(32)}`])(
    'rejects %j as a scope directory',
    (dir) => {
      expect(isScopeDirName(dir)).toBe(false)
      expect(() => scopeFromDirName(dir)).toThrow(InvalidKeyError)
    },
  )

  it('rejects any string that is not the canonical name of its key (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (dir) => {
        let scope
        try {
          scope = scopeFromDirName(dir)
        } catch {
          return
        }
        expect(scope.dir).toBe(dir)
      }),
      { numRuns: 5000 },
    )
  })
})

describe('command-line arguments', () => {
  it('reads a key or its directory name as the same scope', () => {
    expect(scopeFromArg('session-abc123')).toMatchObject({ kind: 'custom', dir: 'session-abc123' })
    expect(scopeFromArg('user-123')).toEqual(customScope('user-123'))
    expect(scopeFromArg('tenant_a:user_1')).toEqual(scopeFromArg('tenant_a~cuser_1'))
    expect(scopeFromArg('shared')).toEqual(sharedScope())
    const id = 'ab'.repeat(16)
    expect(scopeFromArg(`session-${id}`)).toEqual(sessionScope(id))
  })

  it('rejects traversal through the argument path too', () => {
    expect(() => scopeFromArg('../shared')).toThrow(InvalidKeyError)
    expect(() => scopeFromArg('isolated/user-1')).toThrow(InvalidKeyError)
  })
})

describe('tenants', () => {
  it('groups compound keys by the part before the first colon', () => {
    expect(tenantOf(customScope('tenant_a:user_1'))).toBe('tenant_a')
    expect(tenantOf(customScope('user-1'))).toBe('user-1')
    expect(tenantOf(sharedScope())).toBe('shared')
  })
})

describe('scopes are branded values', () => {
  it('cannot be altered after the key module made them', () => {
    const scope = customScope('user-1') as { dir: string }
    expect(() => {
      scope.dir = '../../etc'
    }).toThrow(TypeError)
  })
})
