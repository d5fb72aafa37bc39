/**
 * What read-only commands and dry runs say about unfinished operations instead
 * of finishing them (they change nothing): "an interrupted migrate of X is
 * pending; the next write command finishes it". Test: test/reliability/read-only-pending.test.ts.
 */
import type { PendingOperation, StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { PendingNote } from './types.js'

const NAMES: Record<string, string> = {
  'migrate-rename': 'migrate',
  'migrate-merge': 'migrate',
  cleanup: 'cleanup',
  import: 'import',
}

const subject = (operation: PendingOperation): string => {
  const keys = operation.scopes.map((scope) => scope.key)
  if (operation.op.startsWith('migrate-') && keys.length === 2) return `of ${keys[0]} to ${keys[1]}`
  return keys.length === 0 ? '' : `of ${keys.join(', ')}`
}

/** One sentence for the operator. */
export const describePending = (operation: PendingOperation): string => {
  if (operation.op === 'unreadable') return `an operation record (${operation.id}) cannot be read; the next write command reports it`
  const what = `${NAMES[operation.op] ?? operation.op} ${subject(operation)}`.trimEnd()
  return operation.running
    ? `a ${what} is in progress`
    : `an interrupted ${what} is pending; the next write command finishes it`
}

export const toPendingNote = (operation: PendingOperation): PendingNote => ({
  id: operation.id,
  op: operation.op,
  scopes: operation.scopes.map((scope) => scope.key),
  running: operation.running,
  message: describePending(operation),
})

/** The unfinished operations, described; with `scopes`, only those touching one of them. */
export const pendingNotes = async (backend: StorageBackend, scopes?: Scope[]): Promise<PendingNote[]> => {
  const touches = (operation: PendingOperation) =>
    scopes === undefined || operation.scopes.some((a) => scopes.some((b) => a.kind === b.kind && a.dir === b.dir))
  return (await backend.pendingOperations()).filter(touches).map(toPendingNote)
}
