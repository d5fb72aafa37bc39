/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 description of every route the app
 * serves, generated at the first request from the app's own route table and the
 * zod schemas the routes validate with (`src/api/schemas.ts`, `z.toJSONSchema`),
 * so the description cannot drift from the routes. A route without a schema of
 * its own still appears, with its path parameters and the error answers.
 * Test: test/server/openapi.test.ts (validated with @seriousme/openapi-schema-validator).
 */
import { z } from 'zod'
import {
  conversationListResponseSchema, documentDetailSchema, documentListResponseSchema, errorResponseSchema, memoryListResponseSchema,
  messageListResponseSchema, pageQuerySchema, uploadQuerySchema, uploadResponseSchema,
} from '../api/schemas.js'
import { metadataSchema } from '../core/metadata.js'
import { searchFilterSchema } from '../core/search-filter.js'
import { HTTP_STATUSES } from './errors.js'

interface OperationSpec {
  summary: string
  query?: z.ZodObject
  body?: z.ZodType
  multipart?: z.ZodType
  response?: z.ZodType
  responseType?: string
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

const searchBody = z.object({
  query: z.string().min(1).max(4000),
  limit: z.number().int().min(1).max(50).default(5),
  mode: z.enum(['hybrid', 'vector', 'lexical']).default('hybrid'),
  minScore: z.number().optional(),
  filter: searchFilterSchema.optional(),
}).strict()

const uploadForm = z.object({
  file: z.array(z.string().meta({ format: 'binary' })).min(1).meta({ description: 'One or more files (txt, md, html, json, pdf, docx).' }),
  metadata: z.string().optional().meta({ description: 'A JSON object (see the Metadata schema), stored with every chunk.' }),
})

/** What Bento's own schemas say about its routes, keyed `METHOD path` (Hono's path syntax). */
const SPECS: Record<string, OperationSpec> = {
  'GET /api/health': { summary: 'Liveness; touches no data.' },
  'POST /api/documents/upload': { summary: 'Upload one or more files; one outcome per file.', query: uploadQuerySchema, multipart: uploadForm, response: uploadResponseSchema },
  'GET /api/documents/list': { summary: "The scope's documents, paged.", query: pageQuerySchema, response: documentListResponseSchema },
  'GET /api/documents/:id': { summary: 'One document: chunk count, sizes, metadata, its file.', response: documentDetailSchema },
  'GET /api/documents/:id/file': { summary: "The document's original bytes (attachment).", responseType: 'application/octet-stream' },
  'POST /api/documents/search': { summary: 'Search the scope (hybrid, vector or lexical), optionally filtered.', body: searchBody },
  'DELETE /api/documents/:id': { summary: 'Delete one document and its original.' },
  'DELETE /api/documents': { summary: "Delete all of the scope's documents." },
  'GET /v1/sessions': { summary: 'Conversations, newest first, paged.', query: pageQuerySchema, response: conversationListResponseSchema },
  'GET /v1/sessions/:id/messages': { summary: "A conversation's messages, paged.", query: pageQuerySchema, response: messageListResponseSchema },
  'GET /v1/memories': { summary: 'Memories, paged.', query: pageQuerySchema, response: memoryListResponseSchema },
  'GET /api/openapi.json': { summary: 'This document.' },
}

const ERROR_STATUSES = [...new Set(Object.values(HTTP_STATUSES))].sort()

const openApiPath = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')
const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!)

const operation = (method: string, path: string) => {
  const spec = SPECS[`${method} ${path}`]
  const parameters: Array<Record<string, unknown>> = pathParams(path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }))
  if (spec?.query) {
    for (const [name, field] of Object.entries(spec.query.shape)) {
      const schema = toSchema(field as z.ZodType, 'input')
      parameters.push({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, schema })
    }
  }
  const responses: Record<string, unknown> = {
    200: spec?.response
      ? { description: 'OK', content: { 'application/json': { schema: toSchema(spec.response, 'output') } } }
      : spec?.responseType
        ? { description: 'OK', content: { [spec.responseType]: { schema: { type: 'string', format: 'binary' } } } }
        : { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
  }
  for (const status of ERROR_STATUSES) {
    responses[String(status)] = { description: `Error: ${Object.entries(HTTP_STATUSES).filter(([, s]) => s === status).map(([code]) => code).join(', ')}`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
  }
  responses['429'] = { description: 'rate_limited', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
  return {
    summary: spec?.summary ?? `${method} ${path}`,
    operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
    parameters: [...parameters, { $ref: '#/components/parameters/IsolationKey' }, { $ref: '#/components/parameters/SessionId' }],
    ...(spec?.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } } } : {}),
    ...(spec?.multipart ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: toSchema(spec.multipart, 'input') } } } } : {}),
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
  return {
    openapi: '3.1.0',
    info: { title: 'Bento HTTP API', version, description: 'Isolated per-user data stores for RAG services. Reference: docs/HTTP-API.md.' },
    paths,
    components: {
      schemas: (toSchema(errorResponseSchema, 'output'), toSchema(metadataSchema, 'input'), toSchema(searchFilterSchema, 'input'), components),
      parameters: {
        IsolationKey: { name: 'x-isolation-key', in: 'header', required: false, schema: { type: 'string' }, description: 'Custom isolation: the scope key (unless your middleware sets it).' },
        SessionId: { name: 'x-session-id', in: 'header', required: false, schema: { type: 'string' }, description: 'Session isolation: the session id.' },
      },
      securitySchemes: {
        clientKey: { type: 'apiKey', in: 'header', name: 'x-bento-client-key' },
        adminKey: { type: 'apiKey', in: 'header', name: 'x-bento-admin-key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  }
}
