/**
 * `GET /api/documents/list`, `GET /api/documents/:id` (what Bento holds of one
 * document) and `GET /api/documents/:id/file` (its original bytes). All read the
 * caller's scope only; an id the scope's store does not hold is 404 whatever is
 * on disk.
 *
 * `list` is served by the `:id` route: a static GET path beside a parameter at
 * the same place is a pair Hono's RegExpRouter cannot order, and the whole app
 * would fall back to the slower TrieRouter (test/server/router.test.ts).
 */
import { Hono } from 'hono'
import { NotFoundError } from '../../core/errors.js'
import { isDocumentId } from '../../core/ingest/document-id.js'
import type { DocumentSummary as StoredDocument } from '../../core/store/types.js'
import { documentIdParamSchema, pageQuerySchema, type DocumentDetail, type DocumentListResponse } from '../../api/schemas.js'
import { listDocumentPage, toDocumentSummary } from '../../ops/list-documents.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'
import { contentDisposition, contentTypeOf } from '../download.js'
import { parseInput, readQuery } from '../validation.js'

const notFound = (id: string) => new NotFoundError(`Document ${JSON.stringify(id.slice(0, 80))} not found.`)

export const documentReadRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend } = deps

  /** The document and its kept original, read under one store use. */
  const readDocument = (scope: BentoEnv['Variables']['scope'], id: string, withBytes: boolean) =>
    backend.withStore(scope, async (store) => {
      const document: StoredDocument | undefined = store.listDocuments().find((candidate) => candidate.id === id)
      if (document === undefined) throw notFound(id)
      const upload = isDocumentId(id) ? await backend.readUpload(scope, id, { content: withBytes }) : undefined
      return { document, upload }
    })

  return new Hono<BentoEnv>()
    .get('/api/documents/:id', async (c) => {
      if (c.req.param('id') === 'list') {
        c.get('bentoState').route = '/api/documents/list'
        const { documents, nextCursor } = await listDocumentPage(backend, c.get('scope'), readQuery(c, pageQuerySchema))
        return c.json({ documents, nextCursor } satisfies DocumentListResponse)
      }
      const { id } = parseInput(documentIdParamSchema, c.req.param(), 'path')
      const { document, upload } = await readDocument(c.get('scope'), id, false)
      const summary = toDocumentSummary(document)
      const body: DocumentDetail = {
        ...summary,
        textBytes: document.bytes,
        file: upload ? { name: upload.fileName, bytes: upload.size, contentType: contentTypeOf(upload.fileName) } : null,
      }
      return c.json(body)
    })
    .get('/api/documents/:id/file', async (c) => {
      const { id } = parseInput(documentIdParamSchema, c.req.param(), 'path')
      const { upload } = await readDocument(c.get('scope'), id, true)
      if (upload?.bytes === undefined) throw new NotFoundError(`Document ${JSON.stringify(id.slice(0, 80))} has no kept original file.`)
      return c.body(upload.bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': contentTypeOf(upload.fileName),
        'content-disposition': contentDisposition(upload.fileName),
        'content-length': String(upload.bytes.length),
        // An uploaded HTML file must never run as a page of this origin.
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
        'cache-control': 'private, no-store',
      })
    })
}
