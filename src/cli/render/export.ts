import type { ChalkInstance } from 'chalk'
import type { ExportResult, ExportRow, ImportResult } from '../../ops/types.js'
import { formatBytes, plural } from './format.js'

const contents = (row: Pick<ExportRow, 'documents' | 'chunks' | 'memories' | 'uploads' | 'conversations'>): string =>
  [plural(row.documents, 'document'), plural(row.chunks, 'chunk'), plural(row.memories, 'memory', 'memories'), plural(row.uploads, 'upload'), plural(row.conversations, 'conversation')].join(', ')

/** One line per archive written, then one per scope that failed. */
export const renderExport = (result: ExportResult, paint: ChalkInstance): string => {
  const lines = result.archives.map((row) => `${paint.bold(row.key)} → ${row.file}  ${formatBytes(row.bytes)}  (${contents(row)})`)
  for (const failure of result.failed) lines.push(paint.red(`${failure.key}: not exported (${failure.code}): ${failure.message}`))
  if (result.archives.length + result.failed.length > 1) lines.push(paint.dim(`${plural(result.archives.length, 'archive')} written, ${result.failed.length} failed.`))
  return `${lines.join('\n')}\n`
}

/** An import plan (dryRun) or its outcome. */
export const renderImport = (result: ImportResult, paint: ChalkInstance): string => {
  const head = result.dryRun ? `Would import ${result.file} as ${result.key}:` : `Imported ${result.file} as ${result.key}:`
  const rows: Array<[string, string]> = [
    ['archive of', `${result.sourceKey} (exported ${result.archiveCreatedAt})`],
    ['embedder', result.embedder === null ? (result.dimension === null ? 'none (no vectors)' : `dimension ${result.dimension}`) : `${result.embedder} (dimension ${result.dimension})`],
    ['contents', contents(result)],
    ['size', formatBytes(result.bytes)],
  ]
  const lines = [paint.bold(head), ...rows.map(([label, value]) => `  ${label.padEnd(10)}  ${value}`)]
  if (result.dryRun) lines.push(paint.dim('  every checksum verified; nothing written.'))
  return `${lines.join('\n')}\n`
}
