/**
 * The web page at `/`: served with a strict CSP, resolving no scope, off with
 * `ui: false`. What the page does is tested in a real browser (test/web/).
 */
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/server/web-ui.js'
import { listTree, useServers } from './helpers.js'

const makeServer = useServers()

const pageConfig = (html: string): unknown => {
  const raw = /<meta name="bento-config" content="([^"]*)">/.exec(html)?.[1]
  const decoded = raw?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  return decoded === undefined ? undefined : JSON.parse(decoded)
}

describe('web page', () => {
  it('serves the page at / with a CSP that allows no inline script or style and no other origin', async () => {
    const server = await makeServer({ isolation: 'session', uploadLimits: { maxFileBytes: 4096 } })
    const response = await server.getApp().request('/')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toBe(CONTENT_SECURITY_POLICY)
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await response.text()
    // No inline script or style element anywhere in the document.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/<style|style=/)
    expect(pageConfig(html)).toEqual({ isolation: 'session', auth: 'none', llm: false, accessKeys: false, maxFileBytes: 4096 })
  })

  it('serves the bundled script, stylesheet and icon, and nothing else under /ui/', async () => {
    const server = await makeServer()
    const app = server.getApp()
    const script = await app.request('/ui/app.js')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    // Bundled: no import statement or dynamic import is left for the browser to resolve.
    const code = await script.text()
    expect(code.length).toBeGreaterThan(10_000)
    expect(code).not.toMatch(/(?:^|[;}\n])\s*import\s*[{*"'\w]|\bimport\s*\(/)
    expect((await app.request('/ui/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect((await app.request('/ui/icon.svg')).status).toBe(200)
    for (const path of ['/ui/index.html', '/ui/..%2fpackage.json', '/ui/%2e%2e%2f%2e%2e%2fpackage.json', '/ui/app.js.map', '/ui/']) {
      const response = await app.request(path)
      expect(response.status, path).toBe(404)
      expect(await response.json(), path).toMatchObject({ error: { code: 'not_found' } })
    }
  })

  it('creates nothing in the data dir and issues no session when the page is loaded', async () => {
    const server = await makeServer({ isolation: 'session' })
    const response = await server.getApp().request('/')
    expect(response.headers.get('x-session-id')).toBeNull()
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(await listTree(server.config.dataDir)).toEqual([])
  })

  it('serves the page without an access key even when keys are configured, and the API still needs one', async () => {
    const server = await makeServer({ accessKeys: { client: ['client-key-0123456789'], admin: ['admin-key-0123456789'] } })
    const app = server.getApp()
    const html = await (await app.request('/')).text()
    expect(pageConfig(html)).toMatchObject({ accessKeys: true })
    expect(html).not.toContain('0123456789')
    expect((await app.request('/api/documents/list')).status).toBe(401)
  })

  it('is off with ui: false, and operator middleware still runs before it when on', async () => {
    const off = await makeServer({ ui: false })
    expect(off.config.ui).toBe(false)
    expect((await off.getApp().request('/')).status).toBe(404)
    expect((await off.getApp().request('/ui/app.js')).status).toBe(404)
    const on = await makeServer()
    on.getApp().use('*', async (c, next) => {
      if (c.req.path === '/') return c.text('operator page', 200)
      await next()
    })
    expect(await (await on.getApp().request('/')).text()).toBe('operator page')
  })
})

describe('turning the page off', () => {
  it('reads BENTO_UI as a switch and refuses anything else', async () => {
    const { serverOptionsFromEnv } = await import('../../src/server/env.js')
    expect(serverOptionsFromEnv({ BENTO_UI: 'off' })).toEqual({ ui: false })
    expect(serverOptionsFromEnv({ BENTO_UI: 'yes' })).toEqual({ ui: true })
    expect(serverOptionsFromEnv({})).toEqual({})
    expect(() => serverOptionsFromEnv({ BENTO_UI: 'nope' })).toThrow(/BENTO_UI/)
  })

  it('bento serve --no-ui turns it off; without the flag the environment decides', async () => {
    const { toServeOptions } = await import('../../src/cli/commands/serve.js')
    expect(toServeOptions({ ui: false }).ui).toBe(false)
    expect(toServeOptions({ ui: true }).ui).toBeUndefined()
  })
})
