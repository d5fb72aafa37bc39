/**
 * `/api/documents/*`, compatible with Bento's routes and shapes: search and
 * deletes (uploads: `document-upload.ts`; list, one document and its file:
 * `document-read.ts`). Every handler works on `c.get('scope')` only.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { NotFoundError } from '../../core/errors.js'
import * as fs from '../../core/fs.js'
import { assertNoSymlinks } from '../../core/layout.js'
import { readJsonBody } from '../body.js'
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
})

export const documentRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend, config } = deps
  const { layout } = backend

  return new Hono<BentoEnv>()
    .post('/api/documents/search', async (c) => {
      const body = await readJsonBody(c, searchSchema, config.maxJsonBytes)
      const { mode, lexicalIndex, noMatch, results } = await searchDocuments(backend, c.get('scope'), body.query, body.limit, { mode: body.mode, minScore: body.minScore })
      return c.json({ query: body.query, mode, lexicalIndex, noMatch, results })
    })

    .delete('/api/documents/:id', async (c) => {
      const scope = c.get('scope')
      const id = c.req.param('id')
      const { removeDocumentFiles } = await loadIngest()
      const removed = await backend.withStore(scope, async (store) => {
        // Only an id the store knew reaches the uploads dir. The upload goes first: a failure after
        // it leaves chunks a retry still deletes; the other order left an upload no retry could reach.
        // Test: test/reliability/delete-order.test.ts.
        if (!store.listDocuments().some((document) => document.id === id)) return 0
        await removeDocumentFiles(layout.uploadsDir(scope), id)
        return store.deleteDocument(id)
      }, { write: true })
      if (removed === 0) throw new NotFoundError(`Document ${JSON.stringify(id.slice(0, 80))} not found.`)
      c.get('bentoState').wrote = true
      return c.json({ message: 'Document deleted.', id, chunks: removed })
    })

    .delete('/api/documents', async (c) => {
      const scope = c.get('scope')
      const count = await backend.withStore(scope, async (store) => {
        const documents = store.listDocuments().length
        await store.deleteAll()
        const uploads = layout.uploadsDir(scope)
        await assertNoSymlinks(layout, uploads)
        await fs.remove(uploads)
        return documents
      }, { write: true })
      c.get('bentoState').wrote = true
      return c.json({ message: `Deleted ${count} documents.`, deleted: count })
    })
}
