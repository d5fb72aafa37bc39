import { describe, expect, it } from 'vitest'
import * as errors from '../../src/core/errors.js'
import { EXIT_CODES, exitCodeFor } from '../../src/cli/exit-codes.js'

describe('exit codes', () => {
  it('maps every error class exported by core/errors to its documented code', () => {
    const expected: Record<string, number> = {
      InvalidKeyError: 2, InvalidKeyClaimError: 2, InvalidInputError: 2, InvalidOptionsError: 2,
      UnsupportedTypeError: 2, TooLargeError: 2, EmptyFileError: 2, UnreadableFileError: 2, InvalidArchiveError: 2,
      NotFoundError: 3, ConflictError: 3, RefusedError: 3, UnsafePathError: 3, CorruptStoreError: 3, EmbedderMismatchError: 3,
      LockedError: 4, BusyError: 4, LockLostError: 4, RateLimitedError: 4, QuotaExceededError: 3, MethodNotAllowedError: 2, CancelledError: 130, DatabaseUnavailableError: 1,
    }
    const classes = Object.entries(errors).filter(([name, value]) => typeof value === 'function' && value.prototype instanceof errors.BentoError)
    expect(classes.length).toBeGreaterThan(15)
    for (const [name, ErrorClass] of classes) {
      const instance = new (ErrorClass as new (message: string) => errors.BentoError)('x')
      expect(EXIT_CODES).toHaveProperty(instance.code)
      expect([name, exitCodeFor(instance.code)]).toEqual([name, expected[name] ?? 1])
    }
  })

  it('uses only the documented exit codes', () => {
    expect(new Set(Object.values(EXIT_CODES))).toEqual(new Set([1, 2, 3, 4, 130]))
  })
})
