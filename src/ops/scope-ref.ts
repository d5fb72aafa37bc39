import type { Scope } from '../core/keys.js'
import type { ScopeRef } from './types.js'

export const toRef = (scope: Scope): ScopeRef => ({ key: scope.key, dir: scope.dir, kind: scope.kind })

export const toIso = (date: Date | undefined): string | null => (date === undefined ? null : date.toISOString())
