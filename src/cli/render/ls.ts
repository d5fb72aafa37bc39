import type { ChalkInstance } from 'chalk'
import type { LsResult } from '../../ops/types.js'
import type { DocumentPage } from '../../ops/list-documents.js'
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

/** `bento ls <key>`: one row per document, oldest first; the next page's cursor when there is one. */
export const renderDocumentList = (page: DocumentPage, paint: ChalkInstance): string => {
  if (page.documents.length === 0) return `No documents in ${page.key}.\n`
  const lines = renderTable(
    [{ header: 'DOCUMENT' }, { header: 'TITLE' }, { header: 'TYPE' }, { header: 'CHUNKS', align: 'right' }, { header: 'SIZE', align: 'right' }, { header: 'CREATED' }, { header: 'SOURCE' }],
    page.documents.map((doc) => [
      { text: doc.id },
      { text: doc.title },
      { text: doc.fileType ?? '-', paint: paint.dim },
      { text: formatCount(doc.chunks) },
      { text: doc.bytes === null ? '-' : formatBytes(doc.bytes) },
      { text: doc.createdAt ?? '-', paint: paint.dim },
      { text: doc.source, paint: paint.dim },
    ]),
    { header: paint.bold },
  )
  lines.push(paint.dim(`${plural(page.documents.length, 'document')} in ${page.key}`))
  if (page.nextCursor !== null) lines.push(paint.dim(`More: --cursor ${page.nextCursor}`))
  return `${lines.join('\n')}\n`
}
