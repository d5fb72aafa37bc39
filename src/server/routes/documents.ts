/**
 * `/api/documents/*`, compatible with Bento's routes and shapes. Every handler
 * works on `c.get('scope')` only.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { InvalidInputError, NotFoundError, TooLargeError } from '../../core/errors.js'
import * as fs from '../../core/fs.js'
import { assertNoSymlinks } from '../../core/layout.js'
import { readJsonBody } from '../body.js'
import { loadIngest } from '../ingest-loader.js'
import { searchPassages } from '../retrieval.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

// Multipart framing (boundaries, part headers) around the file itself.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024
const MAX_SEARCH_LIMIT = 50

const searchSchema = z.object({
  query: z.string().trim().min(1, 'must not be empty').max(4000),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(5),
})

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null)

export const documentRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend, config } = deps
  const { layout, embedder } = backend
  const tooLarge = () => {
    throw new TooLargeError(`The upload is larger than the ${config.uploadLimits.maxFileBytes}-byte limit.`)
  }

  return new Hono<BentoEnv>()
    .post('/api/documents/upload', bodyLimit({ maxSize: config.uploadLimits.maxFileBytes + MULTIPART_OVERHEAD_BYTES, onError: tooLarge }), async (c) => {
      const scope = c.get('scope')
      let form: FormData
      try {
        form = await c.req.formData()
      } catch {
        throw new InvalidInputError('Expected a multipart/form-data body with a "file" field.')
      }
      const file = form.get('file')
      if (!(file instanceof File)) throw new InvalidInputError('Expected a multipart/form-data body with a "file" field.')
      if (file.size > config.uploadLimits.maxFileBytes) tooLarge()
      const bytes = new Uint8Array(await file.arrayBuffer())
      const { commitDocuments, prepareDocument } = await loadIngest()
      // Extracted and embedded before the scope's lock is taken: a slow file never holds it.
      const prepared = await prepareDocument({ embedder, limits: config.uploadLimits }, { fileName: file.name, bytes })
      const [result] = await backend.withStore(scope, (store) =>
        commitDocuments({ store, embedder, uploadsDir: layout.uploadsDir(scope) }, [prepared]), { write: true })
      c.get('bentoState').wrote = true
      const { title, chunks, documentId, fileType } = result!
      return c.json({ message: `Uploaded ${title} (${chunks} chunks).`, documentId, chunks, title, fileType })
    })

    .get('/api/documents/list', async (c) => {
      const documents = await backend.withStore(c.get('scope'), async (store) => store.listDocuments())
      return c.json({
        documents: documents.map((doc) => ({
          id: doc.id,
          title: doc.title,
          source: stringOrNull(doc.metadata.source) ?? doc.title,
          createdAt: stringOrNull(doc.metadata.createdAt),
          fileType: stringOrNull(doc.metadata.fileType),
          chunks: doc.chunks,
        })),
      })
    })

    .post('/api/documents/search', async (c) => {
      const body = await readJsonBody(c, searchSchema, config.maxJsonBytes)
      const results = await searchPassages(backend, c.get('scope'), body.query, body.limit)
      return c.json({ query: body.query, results })
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
