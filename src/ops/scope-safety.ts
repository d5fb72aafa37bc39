import { UnsafePathError } from '../core/errors.js'
import type { StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'

/**
 * Why a scope must be left alone (a planted link), or undefined when it is safe to
 * operate on. An operation over many scopes skips and reports such a scope instead
 * of failing for all of them (test/ops/cleanup.test.ts "one planted link does not block all cleanup").
 */
export const unsafeReason = async (backend: StorageBackend, scope: Scope): Promise<string | undefined> => {
  try {
    await backend.assertScopeSafe(scope)
    return undefined
  } catch (error) {
    if (error instanceof UnsafePathError) return `unsafe path: ${error.message}`
    throw error
  }
}
