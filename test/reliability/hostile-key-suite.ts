/**
 * Attack 1: ≥ 5,000 hostile keys through every entry point — the key module,
 * each CLI command's arguments, x-isolation-key / x-muxi-user-id, x-session-id,
 * the session cookie, route params, upload file names and the admin routes —
 * then proof that the sentinel tree beside the data dir is byte-identical and
 * that nothing was created outside the data root (or inside it, off-layout).
 * `hostile-keys.test.ts` sends a stratified sample through the slow entry
 * points; `hostile-keys.stress.test.ts` sends every key through every one.
 */
import { writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFsBackend } from '../../src/core/backend/index.js'
import { isBentoError } from '../../src/core/errors.js'
import { customScope, scopeFromArg, scopeFromDirName, sessionScope, type Scope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { generateHostileKeys, type HostileKey } from '../helpers/hostile-keys.js'
import { addTexts } from '../ops/fixtures.js'
import { createArena, snapshotOutside, type Arena } from './support/arena.js'
import { runCli, STACK_FRAME } from './support/cli-in-process.js'
import { strayEntries } from './support/data-root.js'
import { asHeaderValue, encodeBytes, multipartUpload, sendRaw } from './support/http-attack.js'
import { record } from './support/figures.js'

const ADMIN = 'fma_reliability_admin_0123456789'
const CLIENT = 'fmc_reliability_client_0123456789'

export interface HostileKeySuiteOptions {
  /** Figures file name. */
  name: string
  /** Keys sent through the CLI and HTTP entry points (evenly spread over the corpus); default all. */
  sample?: number
}

/** Every n-th key, so each category is represented in a sample. */
const sampleEvenly = <T>(list: T[], size: number | undefined): T[] =>
  size === undefined || size >= list.length ? list : Array.from({ length: size }, (_, i) => list[Math.floor((i * list.length) / size)]!)

export const defineHostileKeySuite = (options: HostileKeySuiteOptions): void => {
  let arena: Arena
  let corpus: HostileKey[]
  let keys: HostileKey[]
  let before: Record<string, string>
  let custom: BentoServer
  let session: BentoServer
  let inputFile: string
  const tally = { cli: 0, http: 0, raw: 0, module: 0, accepted: 0 }

  /** One safe directory component, directly under `isolated/` (or the shared dir). */
  const expectSafeScope = (scope: Scope, dataDir: string) => {
    expect(scope.dir).toMatch(/^[A-Za-z0-9_~^-][A-Za-z0-9_~^-]*$/)
    expect(Buffer.byteLength(scope.dir)).toBeLessThanOrEqual(242)
    const layout = createLayout(dataDir)
    for (const tree of ['vectors', 'uploads'] as const) {
      const dir = layout.scopeDir(tree, scope)
      expect(path.dirname(dir)).toBe(scope.kind === 'shared' ? layout.treeDir(tree) : layout.isolatedDir(tree))
    }
  }

  const expectUserError = (response: { status: number; text: string }, what: string) => {
    expect(response.status, `${what}: ${response.text.slice(0, 300)}`).toBeLessThan(500)
    expect(response.text, what).not.toMatch(STACK_FRAME)
  }

  beforeAll(async () => {
    arena = await createArena('bento-hostile-')
    corpus = generateHostileKeys({ target: arena.sentinel })
    keys = sampleEvenly(corpus, options.sample)
    const backend = createFsBackend({ dataDir: arena.dataDir })
    await addTexts(backend, customScope('src-user'), path.join(arena.base, 'seed'), { 'seed.txt': 'seed document for hostile migrations' })
    await backend.close()
    inputFile = path.join(arena.base, 'input', 'a.txt')
    await mkdir(path.dirname(inputFile), { recursive: true })
    await writeFile(inputFile, 'hostile key input document')
    before = await snapshotOutside(arena)
    custom = createBentoServer({ dataDir: arena.dataDir, isolation: 'custom', logger: false, accessKeys: { admin: [ADMIN], client: [CLIENT] } })
    session = createBentoServer({ dataDir: arena.dataDir, isolation: 'session', logger: false })
  })

  afterAll(async () => {
    await custom?.stop()
    await session?.stop()
    await arena?.dispose()
  })

  describe('attack: hostile keys through every entry point', () => {
    it('the corpus holds at least 5,000 distinct keys in every category', () => {
      expect(corpus.length).toBeGreaterThanOrEqual(5000)
      expect(new Set(corpus.map((k) => k.key)).size).toBe(corpus.length)
      const categories = new Set(keys.map((k) => k.category))
      for (const category of ['traversal', 'encoded-traversal', 'unicode-lookalike', 'nul', 'control', 'absolute', 'device', 'long', 'blank', 'session-lookalike']) {
        expect(categories, category).toContain(category)
      }
    })

    it('the key module rejects each key with InvalidKeyError or maps it to one safe directory component', () => {
      for (const { key } of corpus) {
        for (const parse of [customScope, sessionScope, scopeFromArg, scopeFromDirName]) {
          tally.module++
          let scope: Scope
          try {
            scope = parse(key)
          } catch (error) {
            expect(isBentoError(error) && error.code === 'invalid_key', `${parse.name}(${JSON.stringify(key)})`).toBe(true)
            continue
          }
          expectSafeScope(scope, arena.dataDir)
        }
      }
    })

    it('every CLI command refuses the key with a usage error or keeps it inside the data root', async () => {
      const data = ['--data-dir', arena.dataDir]
      for (const { key } of keys) {
        const runs = [
          ['inspect', key, '--json', ...data],
          ['migrate', key, '--to', 'dst-user', '--dry-run', '--json', ...data],
          ['migrate', 'src-user', '--to', key, '--dry-run', '--json', ...data],
          ['cleanup', '--older-than', '0s', '--scope', key, '--yes', '--json', ...data],
          ['search', key, 'seed', '--json', ...data],
          ['add', key, inputFile, '--json', ...data],
        ]
        for (const args of runs) {
          tally.cli++
          const run = await runCli(args)
          const what = `bento ${args.slice(0, 4).map((a) => JSON.stringify(a.slice(0, 60))).join(' ')} → ${run.code} ${run.stderr.slice(0, 200)}`
          expect([0, 2, 3], what).toContain(run.code)
          expect(run.stderr, what).not.toMatch(STACK_FRAME)
          expect(run.stderr, what).not.toContain('unexpected error')
          if (run.code === 0) tally.accepted++
        }
      }
    })

    it('x-isolation-key, x-muxi-user-id, x-session-id and the session cookie never leave the data root', async () => {
      const customApp = custom.getApp()
      const sessionApp = session.getApp()
      for (const { key } of keys) {
        const value = asHeaderValue(key)
        if (value === undefined) continue
        const attempts: Array<[string, Response | Promise<Response>]> = [
          ['x-isolation-key list', customApp.request('/api/documents/list', { headers: { 'x-bento-client-key': CLIENT, 'x-isolation-key': value } })],
          ['x-muxi-user-id sessions', customApp.request('/v1/sessions', { method: 'POST', headers: { 'x-bento-client-key': CLIENT, 'x-muxi-user-id': value } })],
          ['x-session-id list', sessionApp.request('/api/documents/list', { headers: { 'x-session-id': value } })],
          ['cookie list', sessionApp.request('/api/documents/list', { headers: { cookie: `bento_session=${value}` } })],
        ]
        for (const [what, pending] of attempts) {
          tally.http++
          const response = await pending
          expectUserError({ status: response.status, text: await response.text() }, `${what} ${JSON.stringify(key.slice(0, 80))}`)
          if (what.startsWith('x-session') || what.startsWith('cookie')) {
            // An invalid id is replaced by a fresh one, never used.
            expect(response.headers.get('x-session-id')).toMatch(/^[0-9a-f]{32}$/)
          }
        }
      }
    })

    it('route params and admin routes refuse hostile scopes, ids and conversation ids', async () => {
      const app = custom.getApp()
      const client = { 'x-bento-client-key': CLIENT, 'x-isolation-key': 'route-user' }
      const admin = { 'x-bento-admin-key': ADMIN }
      const json = { 'content-type': 'application/json' }
      for (const { key } of keys) {
        const param = encodeBytes(key)
        const attempts: Array<[string, string, RequestInit]> = [
          ['admin inspect', `/api/admin/scopes/${param}`, { headers: admin }],
          ['delete document', `/api/documents/${param}`, { method: 'DELETE', headers: client }],
          ['get conversation', `/v1/sessions/${param}`, { headers: client }],
          ['delete conversation', `/v1/sessions/${param}`, { method: 'DELETE', headers: client }],
          ['delete memory', `/v1/memories/${param}`, { method: 'DELETE', headers: client }],
          ['admin migrate from', '/api/admin/migrate', { method: 'POST', headers: { ...admin, ...json }, body: JSON.stringify({ from: key, to: 'dst-user', dryRun: true }) }],
          ['admin migrate to', '/api/admin/migrate', { method: 'POST', headers: { ...admin, ...json }, body: JSON.stringify({ from: 'src-user', to: key, dryRun: true }) }],
          ['admin cleanup', '/api/admin/cleanup', { method: 'POST', headers: { ...admin, ...json }, body: JSON.stringify({ olderThanMs: 3_600_000, scopes: [key] }) }],
        ]
        // The unencoded form too, when it still parses as a path (the URL parser resolves dot segments itself).
        if (!/[?#%\s]/.test(key) && URL.canParse(`http://h/api/admin/scopes/${key}`)) attempts.push(['admin inspect raw', `/api/admin/scopes/${key}`, { headers: admin }])
        for (const [what, url, init] of attempts) {
          tally.http++
          const response = await app.request(url, init)
          expectUserError({ status: response.status, text: await response.text() }, `${what} ${JSON.stringify(key.slice(0, 80))}`)
        }
      }
    })

    it('upload file names are refused or stored verbatim inside the document folder', async () => {
      const app = custom.getApp()
      const headers = { 'x-bento-client-key': CLIENT, 'x-isolation-key': 'uploader' }
      for (const { key } of sampleEvenly(keys, options.sample === undefined ? undefined : Math.ceil(options.sample / 4))) {
        for (const name of [key, `${key}.txt`]) {
          const { body, type } = multipartUpload(name, `upload named ${JSON.stringify(key.slice(0, 40))}`)
          tally.http++
          const response = await app.request('/api/documents/upload', { method: 'POST', headers: { ...headers, 'content-type': type }, body })
          expectUserError({ status: response.status, text: await response.text() }, `upload ${JSON.stringify(name.slice(0, 80))}`)
          if (response.status === 200) tally.accepted++
        }
      }
    })

    it('header bytes a fetch client cannot send (NUL, CR, LF) are refused by the real server', async () => {
      const { port } = await custom.start({ port: 0 })
      const unsendable = corpus.filter(({ key }) => asHeaderValue(key) === undefined)
      expect(unsendable.length).toBeGreaterThan(100)
      // Each is a new connection the server must refuse: 20 in the fast suite, all in the stress suite.
      const raw = sampleEvenly(unsendable, options.sample === undefined ? undefined : 20)
      for (const { key } of raw) {
        for (const header of ['x-isolation-key', 'x-session-id', 'cookie: bento_session=']) {
          const line = header.endsWith('=') ? `${header}${key}` : `${header}: ${key}`
          const request = Buffer.from(`GET /api/documents/list HTTP/1.1\r\nHost: 127.0.0.1\r\nx-bento-client-key: ${CLIENT}\r\n${line}\r\nConnection: close\r\n\r\n`, 'utf8')
          tally.raw++
          const response = await sendRaw(port, request)
          expect(response.status, JSON.stringify(key)).toBeGreaterThanOrEqual(200)
          expect(response.status, JSON.stringify(key)).toBeLessThan(500)
        }
      }
      // Still serving after all of it.
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200)
      await custom.stop()
    })

    it('the sentinel is byte-identical and nothing exists outside the data root or off its layout', async () => {
      expect(await snapshotOutside(arena)).toEqual(before)
      expect(await strayEntries(arena.dataDir)).toEqual([])
      // Some hostile-looking keys and names are valid (`%2e%2e.txt` is a literal name): they were served, inside the root.
      expect(tally.accepted).toBeGreaterThan(0)
      await record(options.name, {
        keys: corpus.length,
        sampled: keys.length,
        attempts: tally.module + tally.cli + tally.http + tally.raw,
        module: tally.module,
        cli: tally.cli,
        http: tally.http,
        raw: tally.raw,
        sentinelChanged: 0,
        strayEntries: 0,
        accepted: tally.accepted,
      })
    })
  })
}
