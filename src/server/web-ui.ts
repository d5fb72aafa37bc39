/**
 * The web page at `/` (issue 19): one HTML document and its bundled assets
 * (`npm run build` writes them to `dist/web/`, see scripts/build-web.mjs).
 * The page is the same client of the API as any other: it holds no data, so it
 * is served without a key and resolves no scope.
 *
 * Threat: script injected through something the page displays (a file name, a
 * passage). The page renders text only, and its Content-Security-Policy lets
 * nothing run or load but the page's own files from this origin: no inline
 * script or style, no other origin, no framing, no form posts elsewhere.
 * Test: test/server/web-ui.test.ts, and the browser tests (test/web/).
 */
import { readFile } from 'node:fs/promises'
import { Hono, type Context } from 'hono'
import { BentoError } from '../core/errors.js'
import type { BentoEnv } from './context.js'
import type { ServerDeps } from './deps.js'

/** `dist/web/`, from `dist/server/` (the built package) and `src/server/` (tests) alike. */
const ASSET_DIR = new URL('../../dist/web/', import.meta.url)

const ASSET_TYPES: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
}

/** What the page needs to know before its first request; read by web/src/config.ts. */
export interface PageConfig {
  isolation: ServerDeps['config']['isolation']
  /** `jwt`: data routes need the user's token (`Authorization: Bearer`). */
  auth: ServerDeps['config']['auth']
  llm: boolean
  accessKeys: boolean
  maxFileBytes: number
}

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const send = (c: Context, body: string | Uint8Array, type: string): Response => {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value)
  c.header('content-type', type)
  return c.body(typeof body === 'string' ? body : new Uint8Array(body))
}

export const webUiRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const config: PageConfig = {
    isolation: deps.config.isolation,
    auth: deps.config.auth,
    llm: deps.config.chat.llm,
    accessKeys: deps.config.accessKeys,
    maxFileBytes: deps.config.uploadLimits.maxFileBytes,
  }
  const cache = new Map<string, Promise<Uint8Array>>()
  // Read once and kept: a few hundred KB, and the files do not change while the server runs.
  const asset = (name: string): Promise<Uint8Array> => {
    let file = cache.get(name)
    if (file === undefined) {
      file = readFile(new URL(name, ASSET_DIR)).then((bytes) => new Uint8Array(bytes))
      file.catch(() => cache.delete(name))
      cache.set(name, file)
    }
    return file.catch((error: unknown) => {
      deps.logger?.error({ err: error }, `the web page's file ${name} cannot be read; run \`npm run build\``)
      throw new BentoError('internal', `The web page's file ${name} is missing.`, { cause: error })
    })
  }

  return new Hono<BentoEnv>()
    .get('/', async (c) => {
      const template = new TextDecoder().decode(await asset('index.html'))
      return send(c, template.replace('%BENTO_CONFIG%', escapeAttribute(JSON.stringify(config))), 'text/html; charset=utf-8')
    })
    .get('/ui/:file', async (c) => {
      const name = c.req.param('file')
      const type = Object.hasOwn(ASSET_TYPES, name) ? ASSET_TYPES[name] : undefined
      if (type === undefined) return c.notFound()
      return send(c, await asset(name), type)
    })
}
