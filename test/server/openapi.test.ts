import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { createAccessChecker } from '../../src/server/access-keys.js'
import { createBentoApp } from '../../src/server/bento-app.js'
import { HTTP_STATUSES } from '../../src/server/errors.js'
import { documentedRoutes } from '../../src/server/openapi.js'
import { useServers } from './helpers.js'

const makeServer = useServers()

type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: Record<string, any> }

const fetchDoc = async (options: Parameters<typeof makeServer>[0] = {}) => {
  const server = await makeServer({ isolation: 'custom', memory: { enabled: true }, ...options })
  const { url } = await server.start({ port: 0 })
  const response = await fetch(`${url}/api/openapi.json`)
  expect(response.status).toBe(200)
  return { server, doc: (await response.json()) as Doc }
}

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document in which every route the app serves has its own spec', async () => {
    const { server, doc } = await fetchDoc()
    expect(doc.openapi).toBe('3.1.0')
    const result = await new Validator().validate(doc as never)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)

    // Walk Hono's route table of the very app the server builds: a route added without a spec fails here.
    const app = createBentoApp({ backend: server.backend, config: server.config, access: createAccessChecker(), upstream: undefined, logger: undefined, auth: undefined, now: Date.now })
    const served = app.routes.filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
    const middleware = new Set(app.routes.filter((route) => route.path.includes('*')).map((route) => route.handler))
    const routes = served.filter((route) => !middleware.has(route.handler))
    expect(routes.length).toBeGreaterThan(25)
    const specs = new Set(documentedRoutes())
    for (const { method, path } of routes) {
      expect(specs.has(`${method} ${path}`), `${method} ${path} has a spec`).toBe(true)
      const documented = doc.paths[path.replace(/:([A-Za-z_]\w*)/g, '{$1}')]?.[method.toLowerCase()]
      expect(documented, `${method} ${path}`).toBeDefined()
      expect(documented.summary).not.toBe(`${method} ${path}`)
    }
    expect(doc.paths['/api/documents/list']?.get).toBeDefined()
  })

  it('names every error code with its status, and the headers of identity, sessions, keys and retries', async () => {
    const { doc } = await fetchDoc()
    const codes: string[] = doc.components.schemas.Error.properties.error.properties.code.enum
    expect(codes.sort()).toEqual(Object.keys(HTTP_STATUSES).sort())
    const search = doc.paths['/api/documents/search']!.post
    for (const [code, status] of Object.entries(HTTP_STATUSES)) {
      expect(search.responses[String(status)]?.description, code).toContain(code)
    }
    expect(search.responses['503'].headers['Retry-After']).toBeDefined()
    expect(search.responses['429'].headers['Retry-After']).toBeDefined()
    expect(search.responses['405'].headers.Allow).toBeDefined()
    expect(search.responses['200'].headers['x-session-id']).toBeDefined()
    const headerNames = search.parameters.filter((p: { $ref?: string }) => p.$ref).map((p: { $ref: string }) => doc.components.parameters[p.$ref.split('/').pop()!].name)
    expect(headerNames).toEqual(['x-isolation-key', 'x-muxi-user-id', 'x-session-id'])
    expect(Object.values(doc.components.securitySchemes).map((s: any) => s.name ?? s.scheme).sort())
      .toEqual(['bearer', 'x-bento-admin-key', 'x-bento-client-key', 'x-muxi-admin-key', 'x-muxi-client-key'])
    // Admin routes take an admin key only; data routes any key, or none on a server without keys.
    expect(doc.paths['/api/admin/migrate']!.post.security.map((s: object) => Object.keys(s)[0])).toEqual(['adminKey', 'muxiAdminKey', 'bearer'])
    expect(search.security).toContainEqual({})
    expect(doc.paths['/api/health']!.get.security).toEqual([])
    expect(doc.paths['/api/health']!.get.parameters).toBeUndefined()
  })

  it('describes request and response fields from the schemas the routes validate with', async () => {
    const { doc } = await fetchDoc()
    const body = (path: string, method = 'post') => doc.paths[path]![method].requestBody.content['application/json'].schema
    const resolved = (schema: { $ref?: string }) => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema)
    const search = resolved(body('/api/documents/search'))
    expect(Object.keys(search.properties)).toEqual(['query', 'limit', 'mode', 'minScore', 'filter'])
    expect(search.additionalProperties).toBe(false)
    expect(Object.keys(resolved(body('/api/chat')).properties)).toEqual(['messages', 'model', 'ragEnabled', 'conversationId'])
    expect(Object.keys(resolved(body('/v1/chat')).properties)).toEqual(['message', 'session_id', 'user_id', 'stream', 'model'])
    expect(Object.keys(resolved(body('/api/admin/migrate')).properties)).toEqual(['from', 'to', 'copy', 'dryRun'])
    expect(Object.keys(resolved(body('/api/admin/cleanup')).properties)).toEqual(['olderThanMs', 'kinds', 'scopes', 'dryRun'])
    expect(doc.paths['/v1/chat']!.post.responses['200'].content['text/event-stream']).toBeDefined()
    expect(doc.paths['/v1/sessions']!.post.responses['201']).toBeDefined()
    expect(doc.paths['/api/admin/scopes']!.get.parameters.map((p: { name: string }) => p.name)).toEqual(['kind', 'sort', 'top', 'groupBy'])
    const list = doc.paths['/api/documents/list']!.get
    expect(list.parameters.map((p: { name?: string }) => p.name).filter(Boolean)).toEqual(['limit', 'cursor'])
    expect(list.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DocumentList' })
    expect(Object.keys(doc.components.schemas.DocumentList.properties)).toEqual(['documents', 'nextCursor'])
    expect(doc.paths['/api/documents/upload']!.post.responses['413']).toBeDefined()
    expect(resolved(doc.paths['/api/chat']!.post.responses['200'].content['application/json'].schema).properties.sources).toBeDefined()
  })
})
