import type { ChalkInstance } from 'chalk'
import type { SearchResult } from '../../ops/types.js'

const SNIPPET_CHARS = 240

const snippet = (content: string): string => {
  const flat = content.replace(/\s+/g, ' ').trim()
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS - 1)}…` : flat
}

const sourceOf = (metadata: Record<string, unknown>): string | undefined =>
  typeof metadata.source === 'string' ? metadata.source : undefined

/** `bento search`: ranked hits, score first, then title, source and a one-line snippet. */
export const renderSearch = (result: SearchResult, paint: ChalkInstance): string => {
  if (result.results.length === 0) {
    return result.noMatch ? `No match for ${JSON.stringify(result.query)}: no passage shares a word with it or is similar enough.\n` : `No results for ${JSON.stringify(result.query)} above the minimum score.\n`
  }
  const lines: string[] = []
  result.results.forEach((row, index) => {
    const source = sourceOf(row.metadata)
    lines.push(`${paint.bold(`${index + 1}.`)} ${paint.green(row.score.toFixed(3))}  ${paint.bold(row.title)} ${paint.dim(`(${row.id})`)}`)
    if (source) lines.push(`   ${paint.dim(source)}`)
    lines.push(`   ${snippet(row.content)}`)
  })
  return `${lines.join('\n')}\n`
}
