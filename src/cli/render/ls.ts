import type { ChalkInstance } from 'chalk'
import type { LsResult } from '../../ops/types.js'
import { formatAge, formatBytes, formatCount, plural } from './format.js'
import { renderTable } from './table.js'

/** `bento ls`: one row per scope. */
export const renderScopeList = (result: LsResult, paint: ChalkInstance, now = Date.now()): string => {
  if (result.scopes.length === 0) return 'No scopes.\n'
  const lines = renderTable(
    [{ header: 'SCOPE' }, { header: 'KIND' }, { header: 'DOCUMENTS', align: 'right' }, { header: 'SIZE', align: 'right' }, { header: 'LAST ACTIVE' }],
    result.scopes.map((row) => [
      { text: row.key },
      { text: row.kind, paint: paint.dim },
      { text: formatCount(row.documents) },
      { text: formatBytes(row.totalBytes) },
      { text: formatAge(row.lastActiveAt, now) },
    ]),
    { header: paint.bold },
  )
  lines.push(paint.dim(plural(result.scopes.length, 'scope')))
  return `${lines.join('\n')}\n`
}
