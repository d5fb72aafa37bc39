/**
 * `reindex({ force })` on PostgreSQL: every row's lexemes and token count computed
 * again from its stored text (no embedding), in batches by label, inside the
 * caller's transaction under the scope's lock, so a search sees the old index or
 * the new one, never a mix.
 */
import type { Analyzer } from '../../lexical/index.js'
import type { StorePart } from '../types.js'
import { passageLexemes } from './lexemes.js'
import type { Queryable } from './store-state.js'

const BATCH = 500

/** Rewrites the store's lexemes with `analyzer`; resolves to the passages rewritten and their tokens. */
export const rebuildLexemes = async (q: Queryable, s: string, scopeId: string, part: StorePart, analyzer: Analyzer): Promise<{ passages: number; tokens: number }> => {
  let passages = 0
  let tokens = 0
  let after = -1
  for (;;) {
    const { rows } = await q.query<{ label: string; text: string }>(
      `SELECT label, text FROM ${s}.chunks WHERE scope_id = $1 AND part = $2 AND label > $3 ORDER BY label LIMIT ${BATCH}`,
      [scopeId, part, after],
    )
    if (rows.length === 0) return { passages, tokens }
    const lexemes = rows.map((row) => passageLexemes(row.text, analyzer))
    await q.query(
      `UPDATE ${s}.chunks c SET lexemes = u.lexemes, token_count = u.tokens
       FROM unnest($3::bigint[], $4::tsvector[], $5::int[]) AS u(label, lexemes, tokens)
       WHERE c.scope_id = $1 AND c.part = $2 AND c.label = u.label`,
      [scopeId, part, rows.map((row) => row.label), lexemes.map((found) => found.tsvector), lexemes.map((found) => found.tokens)],
    )
    passages += rows.length
    for (const found of lexemes) tokens += found.tokens
    after = Number(rows[rows.length - 1]!.label)
  }
}
