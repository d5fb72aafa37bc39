/**
 * Naming an existing scope the way people paste it. A bare session id (32 hex
 * digits or a UUID, as `ls`, `du` and the server's `x-session-id` show it) is
 * also a valid custom key, so `scopeFromArg` reads it as one, and pasting it from
 * a log would answer "does not exist". When no custom scope of that name exists
 * but the session does, the session is meant. The CLI (`inspect`, `search`,
 * `migrate`'s source, `cleanup --scope`) and the admin routes resolve alike.
 * Tests: test/cli/scope-arg.test.ts, test/server/admin.test.ts.
 */
import type { StorageBackend } from '../core/backend/types.js'
import { NotFoundError } from '../core/errors.js'
import { isSessionId, sessionScope, type Scope } from '../core/keys.js'

export const resolveExistingScope = async (backend: StorageBackend, scope: Scope): Promise<Scope> => {
  if (scope.kind !== 'custom' || !isSessionId(scope.key) || (await backend.scopeExists(scope))) return scope
  const session = sessionScope(scope.key)
  return (await backend.scopeExists(session)) ? session : scope
}

/** The scopes a command over several scopes names: every scope for `'all'`, else the given ones, each of which must exist. */
export const resolveScopeList = async (backend: StorageBackend, scopes: readonly Scope[] | 'all'): Promise<Scope[]> => {
  if (scopes !== 'all') {
    for (const scope of scopes) if (!(await backend.scopeExists(scope))) throw new NotFoundError(`Scope "${scope.key}" does not exist.`)
    return [...scopes]
  }
  const list: Scope[] = []
  for await (const scope of backend.listScopes()) list.push(scope)
  return list
}
