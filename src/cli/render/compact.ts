import type { ChalkInstance } from 'chalk'
import type { CompactResult } from '../../ops/compact.js'
import { formatBytes } from './format.js'

/** `bento compact`: one line per scope that had something to fold or drop, then a total. */
export const renderCompact = (result: CompactResult, paint: ChalkInstance): string => {
  const lines: string[] = []
  for (const row of result.scopes) {
    const parts = row.stores
      .filter((store) => store.before.logRecords > 0 || store.before.deleted > 0)
      .map((store) => `${store.part} ${paint.green('compacted')} (${store.before.logRecords} log record${store.before.logRecords === 1 ? '' : 's'}, ${formatBytes(store.before.logBytes)}; ${store.before.deleted} deleted chunk${store.before.deleted === 1 ? '' : 's'} dropped)`)
    if (parts.length > 0) lines.push(`${paint.bold(row.key)}: ${parts.join(', ')}`)
  }
  lines.push(`${result.compacted} store${result.compacted === 1 ? '' : 's'} compacted over ${result.scopes.length} scope${result.scopes.length === 1 ? '' : 's'}.`)
  return `${lines.join('\n')}\n`
}
