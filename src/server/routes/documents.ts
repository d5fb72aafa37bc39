/**
 * `/api/documents/*`, compatible with Bento's routes and shapes: search and
 * deletes (uploads: `document-upload.ts`; list, one document and its file:
 * `document-read.ts`). Every handler works on `c.get('scope')` only.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { deleteAllDocuments, deleteDocument } from '../../ops/documents.js'
import { readJsonBody } from '../body.js'
import { searchFilterSchema } from '../../core/search-filter.js'
import { loadIngest } from '../ingest-loader.js'
import { searchDocuments } from '../retrieval.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

const MAX_SEARCH_LIMIT = 50

const searchSchema = z.object({
  query: z.string().trim().min(1, 'must not be empty').max(4000),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(5),
  mode: z.enum(['hybrid', 'vector', 'lexical']).default('hybrid'),
  minScore: z.number().finite().optional(),
  filter: searchFilterSchema.optional(),
})

export const documentRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend, config } = deps

  return new Hono<BentoEnv>()
    .post('/api/documents/search', async (c) => {
      const body = await readJsonBody(c, searchSchema, config.maxJsonBytes)
      const { mode, lexicalIndex, noMatch, results } = await searchDocuments(backend, c.get('scope'), body.query, body.limit, { mode: body.mode, minScore: body.minScore, filter: body.filter })
      return c.json({ query: body.query, mode, lexicalIndex, noMatch, results })
    })

    .delete('/api/documents/:id', async (c) => {
      const { id, chunks } = await deleteDocument(backend, c.get('scope'), c.req.param('id'))
      c.get('bentoState').wrote = true
      return c.json({ message: 'Document deleted.', id, chunks })
    })

    .delete('/api/documents', async (c) => {
      const { deleted } = await deleteAllDocuments(backend, c.get('scope'))
      c.get('bentoState').wrote = true
      return c.json({ message: `Deleted ${deleted} documents.`, deleted })
    })
}
