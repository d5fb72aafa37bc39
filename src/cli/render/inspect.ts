import type { ChalkInstance } from 'chalk'
import type { InspectResult } from '../../ops/types.js'
import { formatAge, formatBytes, formatCount, plural } from './format.js'
import { renderTable } from './table.js'

const when = (iso: string | null, now: number): string => (iso ? `${formatAge(iso, now)} (${iso})` : 'never')

/** `bento inspect`: a labelled summary, the documents, then any problems. */
export const renderInspect = (result: InspectResult, paint: ChalkInstance, now = Date.now()): string => {
  const health = result.healthy ? paint.green('healthy') : paint.red('UNHEALTHY')
  const { vectors } = result
  const fields: Array<[string, string]> = [
    ['Scope', `${result.key} ${paint.dim(`(${result.kind}, dir ${result.dir})`)}`],
    ['Status', result.exists ? health : paint.red('does not exist')],
  ]
  if (result.exists) {
    fields.push(
      ['Vectors', `${formatCount(vectors.count)} live, ${formatCount(vectors.deleted)} deleted${vectors.capacity === null ? '' : `, capacity ${formatCount(vectors.capacity)}`}`],
      ['Index', vectors.dimension === null ? 'none yet' : `dimension ${vectors.dimension}, ${vectors.space ?? 'unknown space'}`],
      ['Embedder', vectors.embedderUnknown ? paint.yellow(`unknown (written by another tool): declare it with ${vectors.fix ?? 'bento adopt <key> --embedder <id>'}`) : vectors.embedder ?? 'none recorded'],
      ['Documents', formatCount(result.documents.length)],
      ['Uploads', `${plural(result.uploads.files, 'file')}, ${formatBytes(result.uploads.bytes)}`],
      ['Conversations', formatCount(result.conversations)],
      ['Memories', formatCount(result.memories)],
      ['Created', when(result.createdAt, now)],
      ['Last active', when(result.lastActiveAt, now)],
      ['Expires', result.kind === 'session' ? when(result.expiresAt, now) : 'never (only sessions expire)'],
    )
    if (result.quota) {
      const { quota } = result
      fields.push(['Quota', [
        `${formatBytes(quota.bytes)} of ${quota.maxBytes === null ? 'unlimited' : formatBytes(quota.maxBytes)}`,
        `${formatCount(quota.documents)} of ${quota.maxDocuments === null ? 'unlimited' : formatCount(quota.maxDocuments)} documents`,
      ].join(', ')])
    }
  }
  fields.push(['Vectors dir', result.paths.vectors], ['Uploads dir', result.paths.uploads])
  const labelWidth = Math.max(...fields.map(([label]) => label.length))
  const lines = fields.map(([label, value]) => `${paint.bold(label.padEnd(labelWidth))}  ${value}`)
  if (result.documents.length > 0) {
    lines.push('', ...renderTable(
      [{ header: 'DOCUMENT' }, { header: 'TITLE' }, { header: 'CHUNKS', align: 'right' }, { header: 'SIZE', align: 'right' }],
      result.documents.map((doc) => [doc.id, doc.title, formatCount(doc.chunks), formatBytes(doc.bytes)]),
      { header: paint.bold },
    ))
  }
  if (result.problems.length > 0) {
    lines.push('', paint.red.bold('Problems'), ...result.problems.map((problem) => `  - ${problem}`))
  }
  return `${lines.join('\n')}\n`
}
