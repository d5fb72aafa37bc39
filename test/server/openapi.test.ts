import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { createAccessChecker } from '../../src/server/access-keys.js'
import { createBentoApp } from '../../src/server/bento-app.js'
import { useServers } from './helpers.js'

const makeServer = useServers()

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document that lists every route the app serves', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const response = await server.getApp().request('/api/openapi.json')
    expect(response.status).toBe(200)
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(doc.openapi).toBe('3.1.0')
    const result = await new Validator().validate(doc as never)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)

    const app = createBentoApp({ backend: server.backend, config: server.config, access: createAccessChecker(), upstream: undefined, logger: undefined, auth: undefined, now: Date.now })
    const served = app.routes.filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
    expect(served.length).toBeGreaterThan(15)
    for (const { method, path } of served) {
      const documented = doc.paths[path.replace(/:([A-Za-z_]\w*)/g, '{$1}')]
      expect(documented?.[method.toLowerCase()], `${method} ${path}`).toBeDefined()
    }
    expect(doc.paths['/api/documents/list']?.get).toBeDefined()
  })

  it('describes request and response fields from the schemas the routes validate with', async () => {
    const server = await makeServer()
    const doc = (await (await server.getApp().request('/api/openapi.json')).json()) as Record<string, any>
    const search = doc.paths['/api/documents/search'].post.requestBody.content['application/json'].schema
    expect(Object.keys(search.properties)).toEqual(expect.arrayContaining(['query', 'limit', 'filter']))
    expect(search.additionalProperties).toBe(false)
    const list = doc.paths['/api/documents/list'].get
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor']))
    expect(list.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DocumentList' })
    expect(Object.keys(doc.components.schemas.DocumentList.properties)).toEqual(['documents', 'nextCursor'])
    expect(doc.paths['/api/documents/upload'].post.responses['413']).toBeDefined()
  })
})
