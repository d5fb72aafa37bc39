import type { ChalkInstance } from 'chalk'
import type { MigrateResult } from '../../ops/types.js'
import { formatBytes, formatCount, plural } from './format.js'

const MODE_HINT = {
  rename: 'the target is new: its directories are renamed into place',
  merge: 'the target exists: documents, vectors and uploads are merged into it',
} as const

/** A migrate plan (dryRun) or its outcome. */
export const renderMigrate = (result: MigrateResult, paint: ChalkInstance): string => {
  const verb = result.copy ? 'copy' : 'move'
  const head = result.dryRun
    ? `Would ${verb} ${result.from} → ${result.to} (${result.mode}):`
    : `${result.copy ? 'Copied' : 'Moved'} ${result.from} → ${result.to} (${result.mode}):`
  const rows: Array<[string, string]> = [
    ['documents', formatCount(result.documents)],
    ['vectors', formatCount(result.vectors)],
    ['uploads', plural(result.uploads, 'file')],
    ['conversations', formatCount(result.conversations)],
    ['size', formatBytes(result.bytes)],
  ]
  // Documents the target already held with identical content are not copied again: say so, or a merge of 0 looks like a failure.
  const alreadyPresent = (result as { alreadyPresent?: number }).alreadyPresent ?? 0
  if (alreadyPresent > 0) rows.splice(1, 0, ['skipped', `${plural(alreadyPresent, 'document')} already in ${result.to} with identical content`])
  const lines = [paint.bold(head), ...rows.map(([label, value]) => `  ${label.padEnd(13)}  ${value}`)]
  lines.push(paint.dim(`  ${MODE_HINT[result.mode]}${result.copy ? `; ${result.from} is kept` : `; ${result.from} is removed`}.`))
  return `${lines.join('\n')}\n`
}
