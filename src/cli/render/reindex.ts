import type { ChalkInstance } from 'chalk'
import type { ReindexResult } from '../../ops/reindex.js'

/** `bento reindex`: one line per scope that had something to do, then a total. */
export const renderReindex = (result: ReindexResult, paint: ChalkInstance): string => {
  const lines: string[] = []
  for (const row of result.scopes) {
    const parts = (['documents', 'memory'] as const).filter((part) => row[part] !== 'none').map((part) => `${part} ${row[part] === 'built' ? paint.green('indexed') : 'already indexed'}`)
    if (parts.length > 0) lines.push(`${paint.bold(row.key)}: ${parts.join(', ')}`)
  }
  lines.push(`${result.built} store${result.built === 1 ? '' : 's'} indexed over ${result.scopes.length} scope${result.scopes.length === 1 ? '' : 's'}.`)
  return `${lines.join('\n')}\n`
}
