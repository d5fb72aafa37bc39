/**
 * The lexical index in PostgreSQL full-text search, tokenized as the fs backend
 * tokenizes (src/core/lexical/tokenize.ts: every script, CJK bigrams, NFKC and
 * case folding): the tokens are computed here and stored as a tsvector literal
 * (lexemes with positions), never re-parsed by a text-search configuration. A
 * lexeme's tf is its number of positions, so BM25 (k1 1.2, b 0.75, Lucene's
 * idf, as src/core/lexical/bm25.ts) ranks exactly as on disk, up to
 * PostgreSQL's caps: 256 positions per lexeme in a passage, positions up to 16,383.
 */
import { B, K1, tokenize, type Analyzer } from '../../lexical/index.js'

const MAX_POSITION = 16_383

const quoteLexeme = (token: string): string => `'${token.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`

export interface PassageLexemes {
  /** The tsvector literal, e.g. `'refund':1,7 'days':3`. */
  tsvector: string
  tokens: number
}

export const passageLexemes = (text: string, analyzer: Analyzer): PassageLexemes => {
  const tokens = tokenize(text, analyzer)
  const positions = new Map<string, number[]>()
  tokens.forEach((token, i) => {
    let list = positions.get(token)
    if (list === undefined) positions.set(token, (list = []))
    if (list.length < 256) list.push(Math.min(i + 1, MAX_POSITION))
  })
  const parts: string[] = []
  for (const [token, list] of positions) parts.push(`${quoteLexeme(token)}:${[...new Set(list)].join(',')}`)
  return { tsvector: parts.join(' '), tokens: tokens.length }
}

/** The query's distinct terms, as the index tokenizes them. */
export const queryTerms = (query: string, analyzer: Analyzer): string[] => [...new Set(tokenize(query, analyzer))]

/** `'a' | 'b'`: a tsquery matching passages with any of the terms (GIN-indexed). */
export const anyTermQuery = (terms: readonly string[]): string => terms.map(quoteLexeme).join(' | ')

/**
 * BM25 of the passages sharing a term with the query, best first (ties by
 * label). $1 scope, $2 part, $3 terms, $4 tsquery, $5 live passages, $6 average
 * length, $7 limit (NULL: all). `best` is what a passage holding every known
 * term would reach (bm25.ts's normalization).
 */
export const BM25_SQL = (s: string): string => `
WITH hits AS (
  SELECT c.label, c.token_count, u.lexeme, cardinality(u.positions)::float8 AS tf
  FROM ${s}.chunks c, unnest(c.lexemes) u
  WHERE c.scope_id = $1 AND c.part = $2 AND c.lexemes @@ $4::tsquery AND u.lexeme = ANY($3::text[])
), idf AS (
  SELECT lexeme, ln(1 + ($5::float8 - count(*) + 0.5) / (count(*) + 0.5)) AS idf FROM hits GROUP BY lexeme
), ranked AS (
  SELECT h.label, sum(i.idf * h.tf * ${K1 + 1} / (h.tf + ${K1} * (1 - ${B} + ${B} * h.token_count / $6::float8))) AS bm25, count(*)::int AS matched
  FROM hits h JOIN idf i USING (lexeme) GROUP BY h.label
  ORDER BY bm25 DESC, h.label LIMIT $7
)
SELECT r.label, r.bm25, r.matched, (SELECT sum(idf) * ${K1 + 1} FROM idf) AS best,
  c.document_id, c.title, c.text, c.chunk_index, c.metadata
FROM ranked r JOIN ${s}.chunks c ON c.scope_id = $1 AND c.part = $2 AND c.label = r.label
ORDER BY r.bm25 DESC, r.label`
