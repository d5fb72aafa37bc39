import type { ChalkInstance } from 'chalk'
import type { AddResult } from '../../ops/types.js'
import { formatCount, plural } from './format.js'
import { renderTable } from './table.js'

/** `bento add`: the documents created, with their chunk counts and sources. */
export const renderAdd = (result: AddResult, paint: ChalkInstance): string => {
  const replaced = result.documents.filter((doc) => doc.outcome === 'replaced').length
  const summary = `Added ${plural(result.documents.length, 'document')} to ${result.key}${replaced > 0 ? ` (${replaced} replacing a document of the same name)` : ''}.`
  const lines = [paint.bold(summary)]
  if (result.documents.length > 0) {
    lines.push(...renderTable(
      [{ header: 'DOCUMENT' }, { header: 'TITLE' }, { header: 'CHUNKS', align: 'right' }, { header: 'OUTCOME' }, { header: 'SOURCE' }],
      result.documents.map((doc) => [doc.id, doc.title, formatCount(doc.chunks), doc.outcome, { text: doc.source, paint: paint.dim }]),
      { header: paint.bold },
    ))
  }
  const skipped = result.skipped ?? []
  if (skipped.length > 0) {
    lines.push(paint.yellow(`Skipped ${plural(skipped.length, 'file')}:`))
    lines.push(...skipped.map((row) => `  ${row.source}: ${row.reason}`))
  }
  return `${lines.join('\n')}\n`
}
