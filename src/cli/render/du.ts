import type { ChalkInstance } from 'chalk'
import type { DiskUsageGroup, DiskUsageResult, DiskUsageRow } from '../../ops/types.js'
import { formatPercent, renderBar } from './bar.js'
import { formatAge, formatBytes, formatCount, plural } from './format.js'
import { renderTable, type Cell, type Column } from './table.js'

const BAR_WIDTH = 20

const sizeColumns: Column[] = [
  { header: 'VECTORS', align: 'right' },
  { header: 'UPLOADS', align: 'right' },
  { header: 'TOTAL', align: 'right' },
  { header: 'FILES', align: 'right' },
]

const sizeCells = (row: Pick<DiskUsageRow, 'vectorBytes' | 'uploadBytes' | 'totalBytes' | 'files'>, paint: ChalkInstance): Cell[] => [
  { text: formatBytes(row.vectorBytes) },
  { text: formatBytes(row.uploadBytes) },
  { text: formatBytes(row.totalBytes), paint: paint.bold },
  { text: formatCount(row.files) },
]

const barCells = (bytes: number, grandTotal: number, paint: ChalkInstance): Cell[] => {
  const fraction = grandTotal > 0 ? bytes / grandTotal : 0
  return [{ text: renderBar(fraction, BAR_WIDTH), paint: paint.cyan }, { text: formatPercent(fraction), paint: paint.dim }]
}

/** TOTAL against the scope's disk quota, when one is in force: `41% of 500 MiB`, red past it. */
const quotaCell = (row: DiskUsageRow, paint: ChalkInstance): Cell => {
  const max = row.quota?.maxBytes ?? null
  if (max === null) return { text: '-', paint: paint.dim }
  return { text: `${formatPercent(row.totalBytes / max)} of ${formatBytes(max)}`, ...(row.totalBytes > max ? { paint: paint.red } : {}) }
}

const renderScopes = (result: DiskUsageResult, paint: ChalkInstance, now: number): string[] => {
  // The column appears only when some scope has a disk quota.
  const withQuota = result.scopes.some((row) => (row.quota?.maxBytes ?? null) !== null)
  return renderTable(
    [{ header: 'SCOPE' }, { header: 'KIND' }, ...sizeColumns, ...(withQuota ? [{ header: 'QUOTA', align: 'right' as const }] : []), { header: 'LAST ACTIVE' }, { header: '' }, { header: '', align: 'right' }],
    result.scopes.map((row) => [
      { text: row.key },
      { text: row.kind, paint: paint.dim },
      ...sizeCells(row, paint),
      ...(withQuota ? [quotaCell(row, paint)] : []),
      { text: formatAge(row.lastActiveAt, now) },
      ...barCells(row.totalBytes, result.totalBytes, paint),
    ]),
    { header: paint.bold },
  )
}

const renderGroups = (groups: DiskUsageGroup[], result: DiskUsageResult, paint: ChalkInstance): string[] =>
  renderTable(
    [{ header: 'TENANT' }, { header: 'SCOPES', align: 'right' }, ...sizeColumns, { header: '' }, { header: '', align: 'right' }],
    groups.map((group) => [
      { text: group.tenant },
      { text: formatCount(group.scopes) },
      ...sizeCells(group, paint),
      ...barCells(group.totalBytes, result.totalBytes, paint),
    ]),
    { header: paint.bold },
  )

/** `bento du` as a table, largest first as the op sorted it, with a bar per row and grand totals. */
export const renderDiskUsage = (result: DiskUsageResult, paint: ChalkInstance, now = Date.now()): string => {
  if (result.scopeCount === 0) return 'No scopes.\n'
  const lines = result.groups ? renderGroups(result.groups, result, paint) : renderScopes(result, paint, now)
  const shown = result.groups ? result.groups.length : result.scopes.length
  const hidden = result.groups ? 0 : result.scopeCount - shown
  if (hidden > 0) lines.push(paint.dim(`… ${plural(hidden, 'more scope')} not shown (--top)`))
  lines.push(
    paint.bold(
      `Total: ${formatBytes(result.totalBytes)} in ${plural(result.scopeCount, 'scope')} ` +
        `(vectors ${formatBytes(result.vectorBytes)}, uploads ${formatBytes(result.uploadBytes)}, ${plural(result.files, 'file')})`,
    ),
  )
  return `${lines.join('\n')}\n`
}
