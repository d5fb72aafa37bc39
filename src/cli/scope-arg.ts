/**
 * Scope arguments of commands that name an existing scope: `inspect`, `search`,
 * `migrate`'s source and `cleanup --scope`. `add` and `migrate --to` create
 * scopes, so there the argument keeps its plain meaning.
 */
export { resolveExistingScope } from '../ops/resolve-scope.js'
