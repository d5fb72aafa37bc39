/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 description of every route the app
 * serves, generated at the first request from the app's own route table and the
 * zod schemas the routes validate with (`src/api/`, `z.toJSONSchema`), so the
 * description cannot drift from the routes. A route without a spec still appears,
 * with its path parameters and the error answers; the test fails on such a route.
 * Test: test/server/openapi.test.ts (validated with @seriousme/openapi-schema-validator).
 */
import { z } from 'zod'
import { cleanupRequestSchema, migrateRequestSchema, quotaReportSchema, quotaRequestSchema, scopesQuerySchema } from '../api/admin-schemas.js'
import {
  chatRequestSchema, chatResponseSchema, conversationCreatedSchema, conversationDetailSchema, deletedDocumentSchema, deletedDocumentsSchema, deletedItemSchema,
  healthResponseSchema, memoryAddRequestSchema, memoryAddResponseSchema, memorySearchRequestSchema, memorySearchResponseSchema, modelsResponseSchema,
  muxiChatRequestSchema, muxiChatResponseSchema, searchRequestSchema, searchResponseSchema,
} from '../api/chat-schemas.js'
import {
  conversationListResponseSchema, documentDetailSchema, documentListResponseSchema, errorResponseSchema, memoryListResponseSchema,
  messageListResponseSchema, pageQuerySchema, uploadQuerySchema, uploadResponseSchema,
} from '../api/schemas.js'
import type { ErrorCode } from '../core/errors.js'
import { metadataSchema } from '../core/metadata.js'
import { searchFilterSchema } from '../core/search-filter.js'
import { HTTP_STATUSES } from './errors.js'

type Access = 'public' | 'client' | 'admin'

interface OperationSpec {
  summary: string
  access: Access
  /** Data routes resolve a scope from the isolation headers (or the operator's middleware). */
  scoped?: boolean
  query?: z.ZodObject
  body?: z.ZodType
  multipart?: z.ZodType
  response?: z.ZodType
  /** The success status when not 200. */
  status?: number
  /** A non-JSON answer: its media type. */
  responseType?: string
  /** Also answers server-sent events (chat streams). */
  sse?: boolean
}

/** Named schemas (`.meta({ id })`) land in components.schemas and are referenced from there. */
let components: Record<string, unknown> = {}

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const raw = JSON.stringify(z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' })).replaceAll('"#/$defs/', '"#/components/schemas/')
  const { $defs, $schema: _, ...json } = JSON.parse(raw) as Record<string, unknown>
  Object.assign(components, ($defs ?? {}) as Record<string, unknown>)
  const id = (schema.meta() as { id?: string } | undefined)?.id
  if (id === undefined) return json
  // zod puts a named top-level schema in $defs itself and answers a $ref to it.
  if (!(id in components)) components[id] = json
  return { $ref: `#/components/schemas/${id}` }
}

const uploadForm = z.object({
  file: z.array(z.string().meta({ format: 'binary' })).min(1).meta({ description: 'One or more files (txt, md, html, json, pdf, docx).' }),
  metadata: z.string().optional().meta({ description: 'A JSON object (see the Metadata schema), stored with every chunk.' }),
})

const scopeParam = { $ref: '#/components/parameters/AdminScope' }

/** What Bento's own schemas say about its routes, keyed `METHOD path` (Hono's path syntax). */
const SPECS: Record<string, OperationSpec> = {
  'GET /': { summary: 'The web page (HTML); holds no data and resolves no scope.', access: 'public', responseType: 'text/html' },
  'GET /ui/:file': { summary: "The web page's bundled files (app.js, app.css, icon.svg).", access: 'public', responseType: 'application/octet-stream' },
  'GET /api/health': { summary: 'Liveness; touches no data.', access: 'public', response: healthResponseSchema },
  'GET /api/openapi.json': { summary: 'This document.', access: 'public' },
  'GET /api/chat/models': { summary: 'The models chat may use.', access: 'client', response: modelsResponseSchema },
  'POST /api/documents/upload': { summary: 'Upload one or more files; one outcome per file.', access: 'client', scoped: true, query: uploadQuerySchema, multipart: uploadForm, response: uploadResponseSchema },
  'GET /api/documents/list': { summary: "The scope's documents, oldest first, paged.", access: 'client', scoped: true, query: pageQuerySchema, response: documentListResponseSchema },
  'GET /api/documents/:id': { summary: 'One document: chunk count, sizes, metadata, its file.', access: 'client', scoped: true, response: documentDetailSchema },
  'GET /api/documents/:id/file': { summary: "The document's original bytes (attachment).", access: 'client', scoped: true, responseType: 'application/octet-stream' },
  'POST /api/documents/search': { summary: 'Search the scope (hybrid, vector or lexical), optionally filtered.', access: 'client', scoped: true, body: searchRequestSchema, response: searchResponseSchema },
  'DELETE /api/documents/:id': { summary: 'Delete one document and its original.', access: 'client', scoped: true, response: deletedDocumentSchema },
  'DELETE /api/documents': { summary: "Delete all of the scope's documents.", access: 'client', scoped: true, response: deletedDocumentsSchema },
  'POST /api/chat': { summary: "Answer with the scope's passages as context.", access: 'client', scoped: true, body: chatRequestSchema, response: chatResponseSchema },
  'POST /api/chat/stream': { summary: 'The same answer as server-sent events: sources, delta…, done (or error).', access: 'client', scoped: true, body: chatRequestSchema, responseType: 'text/event-stream' },
  'POST /v1/chat': { summary: "The MUXI page's chat: a turn in a session, created when none is named.", access: 'client', scoped: true, body: muxiChatRequestSchema, response: muxiChatResponseSchema, sse: true },
  'POST /v1/sessions': { summary: 'Create a conversation.', access: 'client', scoped: true, response: conversationCreatedSchema, status: 201 },
  'GET /v1/sessions': { summary: 'Conversations, newest first, paged.', access: 'client', scoped: true, query: pageQuerySchema, response: conversationListResponseSchema },
  'GET /v1/sessions/:id': { summary: 'A conversation with all its messages.', access: 'client', scoped: true, response: conversationDetailSchema },
  'GET /v1/sessions/:id/messages': { summary: "A conversation's messages, paged.", access: 'client', scoped: true, query: pageQuerySchema, response: messageListResponseSchema },
  'DELETE /v1/sessions/:id': { summary: 'Delete a conversation.', access: 'client', scoped: true, response: deletedItemSchema },
  'GET /v1/memories': { summary: 'Memories, oldest first, paged.', access: 'client', scoped: true, query: pageQuerySchema, response: memoryListResponseSchema },
  'POST /v1/memories': { summary: 'Remember one statement (201; 200 with created false when already known).', access: 'client', scoped: true, body: memoryAddRequestSchema, response: memoryAddResponseSchema, status: 201 },
  'POST /v1/memories/search': { summary: 'Recall memories by similarity.', access: 'client', scoped: true, body: memorySearchRequestSchema, response: memorySearchResponseSchema },
  'DELETE /v1/memories/:id': { summary: 'Forget one memory.', access: 'client', scoped: true, response: deletedItemSchema },
  'DELETE /v1/memories': { summary: 'Forget every memory of the scope.', access: 'client', scoped: true, response: deletedItemSchema },
  'GET /api/admin/scopes': { summary: 'Disk use per scope (bento du --json).', access: 'admin', query: scopesQuerySchema },
  'GET /api/admin/scopes/:scope': { summary: 'One scope, with its health (bento inspect --json).', access: 'admin' },
  'GET /api/admin/scopes/:scope/quota': { summary: "A scope's usage against its quota (bento quota).", access: 'admin', response: quotaReportSchema },
  'PUT /api/admin/scopes/:scope/quota': { summary: "Set the scope's own quota (bento quota --max-bytes --max-documents).", access: 'admin', body: quotaRequestSchema, response: quotaReportSchema },
  'DELETE /api/admin/scopes/:scope/quota': { summary: "Remove the scope's own quota; the default applies (bento quota --clear).", access: 'admin', response: quotaReportSchema },
  'POST /api/admin/migrate': { summary: 'Move or copy a scope to another key (bento migrate).', access: 'admin', body: migrateRequestSchema },
  'POST /api/admin/cleanup': { summary: 'Remove inactive scopes (bento cleanup).', access: 'admin', body: cleanupRequestSchema },
}

/** Spec keys of routes the app may serve under other options (the web page with ui off). */
export const documentedRoutes = (): string[] => Object.keys(SPECS)

const codesByStatus = (): Map<number, ErrorCode[]> => {
  const map = new Map<number, ErrorCode[]>()
  for (const [code, status] of Object.entries(HTTP_STATUSES) as Array<[ErrorCode, number]>) map.set(status, [...(map.get(status) ?? []), code])
  return new Map([...map].sort(([a], [b]) => a - b))
}

const RETRY_STATUSES = new Set([429, 503])
const openApiPath = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')
const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!)

const SECURITY: Record<Access, Array<Record<string, string[]>>> = {
  // `{}`: no key needed while the server has none configured.
  public: [],
  client: [{ clientKey: [] }, { muxiClientKey: [] }, { adminKey: [] }, { muxiAdminKey: [] }, { bearer: [] }, {}],
  admin: [{ adminKey: [] }, { muxiAdminKey: [] }, { bearer: [] }],
}

const successResponse = (spec: OperationSpec | undefined, scoped: boolean): Record<string, unknown> => {
  const content: Record<string, unknown> = spec?.response
    ? { 'application/json': { schema: toSchema(spec.response, 'output') } }
    : spec?.responseType
      ? { [spec.responseType]: { schema: { type: 'string', ...(spec.responseType === 'application/octet-stream' ? { format: 'binary' } : {}) } } }
      : { 'application/json': { schema: { type: 'object' } } }
  if (spec?.sse) content['text/event-stream'] = { schema: { type: 'string' } }
  return {
    description: 'OK',
    ...(scoped ? { headers: { 'x-session-id': { $ref: '#/components/headers/SessionId' }, 'x-session-expired': { $ref: '#/components/headers/SessionExpired' } } } : {}),
    content,
  }
}

const operation = (method: string, path: string) => {
  const spec = SPECS[`${method} ${path}`]
  const scoped = spec?.scoped ?? false
  const parameters: Array<Record<string, unknown>> = path.startsWith('/api/admin/scopes/:scope')
    ? [scopeParam]
    : pathParams(path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }))
  if (spec?.query) {
    for (const [name, field] of Object.entries(spec.query.shape)) {
      const schema = toSchema(field as z.ZodType, 'input')
      parameters.push({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, schema })
    }
  }
  if (scoped) parameters.push(...['IsolationKey', 'MuxiUserId', 'SessionId'].map((name) => ({ $ref: `#/components/parameters/${name}` })))
  const responses: Record<string, unknown> = { [String(spec?.status ?? 200)]: successResponse(spec, scoped) }
  if (spec?.status === 201) responses['200'] = successResponse(spec, scoped)
  for (const [status, codes] of codesByStatus()) {
    responses[String(status)] = {
      description: `Error: ${codes.join(', ')}`,
      ...(RETRY_STATUSES.has(status) ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
      ...(status === 405 ? { headers: { Allow: { schema: { type: 'string' }, description: 'The methods the path serves.' } } } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    }
  }
  const body = spec?.body ? { 'application/json': { schema: toSchema(spec.body, 'input') } } : spec?.multipart ? { 'multipart/form-data': { schema: toSchema(spec.multipart, 'input') } } : undefined
  return {
    summary: spec?.summary ?? `${method} ${path}`,
    operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
    tags: [path.startsWith('/api/admin') ? 'admin' : path.startsWith('/v1') ? 'muxi' : path.startsWith('/api/chat') ? 'chat' : path.startsWith('/api/documents') ? 'documents' : 'server'],
    security: SECURITY[spec?.access ?? 'client'],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: body } } : {}),
    responses,
  }
}

/** The document for the routes `(method, path)` an app serves (Hono's `app.routes`, middleware left out by the caller). */
export const buildOpenApiDocument = (routes: ReadonlyArray<{ method: string; path: string }>, version: string): Record<string, unknown> => {
  components = {}
  const paths: Record<string, Record<string, unknown>> = {}
  const seen = new Set<string>()
  // `list` is served by the `:id` route (see routes/document-read.ts) but is its own operation for clients.
  for (const { method, path } of [...routes, { method: 'GET', path: '/api/documents/list' }]) {
    const key = `${method} ${path}`
    if (seen.has(key) || method === 'ALL' || path.includes('*')) continue
    seen.add(key)
    ;(paths[openApiPath(path)] ??= {})[method.toLowerCase()] = operation(method, path)
  }
  toSchema(errorResponseSchema, 'output')
  toSchema(metadataSchema, 'input')
  toSchema(searchFilterSchema, 'input')
  const error = components['Error'] as { properties: { error: { properties: { code: Record<string, unknown> } } } }
  error.properties.error.properties.code = { ...error.properties.error.properties.code, enum: Object.keys(HTTP_STATUSES).sort() }
  return {
    openapi: '3.1.0',
    info: { title: 'Bento HTTP API', version, description: 'Isolated per-user data stores for RAG services. Reference: docs/HTTP-API.md.' },
    tags: [
      { name: 'documents', description: "The caller's scope: upload, list, read, search, delete." },
      { name: 'chat', description: "Answers from the scope's passages." },
      { name: 'muxi', description: "The MUXI page's sessions, chat and memories (/v1)." },
      { name: 'admin', description: 'Operations on every scope; admin key only.' },
      { name: 'server', description: 'Health, this document and the web page.' },
    ],
    paths,
    components: {
      schemas: components,
      parameters: {
        IsolationKey: {
          name: 'x-isolation-key', in: 'header', required: false, schema: { type: 'string', maxLength: 120 },
          description: 'Custom isolation without --auth jwt: the scope key (a user, or tenant:user for a tenant\'s user). Ignored when the operator\'s middleware or a verified token decides the scope.',
        },
        MuxiUserId: { name: 'x-muxi-user-id', in: 'header', required: false, schema: { type: 'string', maxLength: 120 }, description: 'The MUXI name of x-isolation-key, with the same trust.' },
        SessionId: { name: 'x-session-id', in: 'header', required: false, schema: { type: 'string' }, description: 'Session isolation: the session id (32 hex or a UUID); also read from the bento_session cookie.' },
        AdminScope: { name: 'scope', in: 'path', required: true, schema: { type: 'string', maxLength: 300 }, description: 'A scope key or its directory name, as on the command line.' },
      },
      headers: {
        SessionId: { schema: { type: 'string' }, description: 'Session isolation: the session id in use (issued when the request had none, or an expired one).' },
        SessionExpired: { schema: { type: 'string', enum: ['true'] }, description: 'The session id presented had expired; x-session-id is the new one.' },
        RetryAfter: { schema: { type: 'integer', minimum: 0 }, description: 'Seconds to wait before trying again.' },
      },
      securitySchemes: {
        clientKey: { type: 'apiKey', in: 'header', name: 'x-bento-client-key', description: 'A client access key (accessKeys.client, BENTO_CLIENT_KEYS).' },
        muxiClientKey: { type: 'apiKey', in: 'header', name: 'x-muxi-client-key' },
        adminKey: { type: 'apiKey', in: 'header', name: 'x-bento-admin-key', description: 'An admin access key (accessKeys.admin, BENTO_ADMIN_KEYS); also accepted on data routes.' },
        muxiAdminKey: { type: 'apiKey', in: 'header', name: 'x-muxi-admin-key' },
        bearer: { type: 'http', scheme: 'bearer', description: 'With --auth jwt: the user\'s token. Otherwise an access key, read only when no key header is sent.' },
      },
    },
  }
}
