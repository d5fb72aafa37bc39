import type { ChalkInstance } from 'chalk'
import type { CleanupResult } from '../../ops/types.js'
import { formatAge, formatBytes, plural } from './format.js'
import { renderTable } from './table.js'

/** A cleanup plan (dryRun) or its outcome: what goes, what stays and why. */
export const renderCleanup = (result: CleanupResult, paint: ChalkInstance, now = Date.now()): string => {
  const lines: string[] = []
  const count = plural(result.removed.length, 'scope')
  if (result.removed.length === 0) {
    lines.push('Nothing to clean up.')
  } else {
    lines.push(paint.bold(result.dryRun
      ? `Would remove ${count}, freeing ${formatBytes(result.freedBytes)}:`
      : `Removed ${count}, freed ${formatBytes(result.freedBytes)}:`))
    lines.push(...renderTable(
      [{ header: 'SCOPE' }, { header: 'KIND' }, { header: 'LAST ACTIVE' }, { header: 'SIZE', align: 'right' }],
      result.removed.map((row) => [row.key, { text: row.kind, paint: paint.dim }, formatAge(row.lastActiveAt, now), formatBytes(row.bytes)]),
      { header: paint.bold },
    ).map((line) => `  ${line}`))
  }
  if (result.skipped.length > 0) {
    lines.push(paint.yellow(`Skipped ${plural(result.skipped.length, 'scope')}:`))
    lines.push(...renderTable(
      [{ header: 'SCOPE' }, { header: 'REASON' }],
      result.skipped.map((row) => [row.key, row.reason]),
      { header: paint.bold },
    ).map((line) => `  ${line}`))
  }
  return `${lines.join('\n')}\n`
}
