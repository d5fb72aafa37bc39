/**
 * `/api/documents/*`, compatible with Bento's routes and shapes: search and
 * deletes (uploads: `document-upload.ts`; list, one document and its file:
 * `document-read.ts`). Every handler works on `c.get('scope')` only.
 */
import { Hono } from 'hono'
import { deleteAllDocuments, deleteDocument } from '../../ops/documents.js'
import { readJsonBody } from '../body.js'
import { searchRequestSchema } from '../../api/chat-schemas.js'
import { loadIngest } from '../ingest-loader.js'
import { searchDocuments } from '../retrieval.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

export const documentRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend, config } = deps

  return new Hono<BentoEnv>()
    .post('/api/documents/search', async (c) => {
      const body = await readJsonBody(c, searchRequestSchema, config.maxJsonBytes)
      const { mode, lexicalIndex, noMatch, results } = await searchDocuments(backend, c.get('scope'), body.query, body.limit, { mode: body.mode, minScore: body.minScore, filter: body.filter, readScopes: c.get('grantedScopes') })
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
