import { scopeFromDirName } from '../core/keys.js'
import type { IntentScope } from '../core/journal.js'
import type { Scope } from '../core/keys.js'
import type { ScopeRef } from './types.js'

export const toRef = (scope: Scope): ScopeRef => ({ key: scope.key, dir: scope.dir, kind: scope.kind })

export const toIso = (date: Date | undefined): string | null => (date === undefined ? null : date.toISOString())

/** The scope an intent names, re-validated: a tampered journal cannot name a path. */
export const scopeOfIntent = (ref: IntentScope | undefined): Scope => {
  if (ref === undefined) throw new Error('intent names no scope')
  const scope = scopeFromDirName(ref.dir)
  if (scope.kind !== ref.kind) throw new Error(`intent scope ${ref.dir} is not of kind ${ref.kind}`)
  return scope
}
