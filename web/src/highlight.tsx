/** A passage with the query's words marked, matched whole-word-prefix and case-insensitively. */
import type { JSX } from 'preact'

const WORD = /[\p{L}\p{N}]+/gu

export const queryWords = (query: string): string[] =>
  [...new Set((query.toLowerCase().match(WORD) ?? []).filter((word) => word.length > 1))]

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export const Highlight = ({ text, words }: { text: string; words: string[] }): JSX.Element => {
  if (words.length === 0) return <>{text}</>
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${words.map(escapeRegExp).join('|')})`, 'giu')
  const parts: Array<string | JSX.Element> = []
  let last = 0
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0
    if (start > last) parts.push(text.slice(last, start))
    parts.push(<mark key={start}>{match[0]}</mark>)
    last = start + match[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  return <>{parts}</>
}
