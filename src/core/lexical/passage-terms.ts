/**
 * A passage's terms counted ahead of the commit. Tokenizing is most of what adding a
 * passage to the lexical index costs; ingest does it beside embedding, before the
 * scope's lock, so the commit only appends postings. The counts carry the key of the
 * analyzer that made them: an index built with another analyzer ignores them and
 * tokenizes the text itself, so a stale or foreign count never enters an index.
 */
import type { Analyzer } from './bm25.js'
import { tokenize } from './tokenize.js'

export interface PassageTerms {
  /** `analyzerKey` of the analyzer that counted them. */
  analyzer: string
  /** Distinct terms, in the order first seen. */
  terms: string[]
  /** Occurrences of each term; the passage's length is their sum. */
  tfs: number[]
}

export const analyzerKey = (analyzer: Analyzer): string =>
  `${analyzer.tokenizer}${analyzer.stopWords ? '+stop' : ''}${analyzer.stemming ? '+stem' : ''}`

export const countTerms = (tokens: readonly string[], analyzer: string): PassageTerms => {
  const counts = new Map<string, number>()
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1)
  return { analyzer, terms: [...counts.keys()], tfs: [...counts.values()] }
}

/**
 * @example
 * analyzePassage('The cat and the hat', defaultAnalyzer())
 * // { analyzer: 'bento-words-v1', terms: ['the', 'cat', 'and', 'hat'], tfs: [2, 1, 1, 1] }
 */
export const analyzePassage = (text: string, analyzer: Analyzer): PassageTerms => countTerms(tokenize(text, analyzer), analyzerKey(analyzer))
