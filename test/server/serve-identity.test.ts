/**
 * `bento serve` and identity, as a real child process: who may choose a scope
 * decides where the server may listen.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { bearer, hs, SECRET } from '../helpers/jwt.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const BIN = fileURLToPath(new URL('../../bin/bento.js', import.meta.url))
const tempDir = useTempDirs()
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BENTO_') && name !== 'PORT' && name !== 'OPENROUTER_API_KEY'))

const serve = (args: string[], env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match?.[1]) resolve(match[1])
    })
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  url.catch(() => {})
  return { child, url, exited, stderr: () => stderr }
}

describe('bento serve: identity', () => {
  it('refuses custom isolation on a non-loopback host without --auth (exit 3, one line saying why)', async () => {
    const run = serve(['--isolation', 'custom', '--host', '0.0.0.0', '--data-dir', await tempDir()])
    expect(await run.exited).toBe(3)
    expect(run.stderr()).toMatch(/Refusing to serve custom isolation on 0\.0\.0\.0.*--auth jwt.*--trust-identity-header/)
    expect(run.stderr()).not.toMatch(/at .*\.js:\d+/)
  })

  it('serves it with --trust-identity-header, and warns that any caller can choose its key', async () => {
    const run = serve(['--isolation', 'custom', '--host', '0.0.0.0', '--trust-identity-header', '--data-dir', await tempDir()])
    await run.url
    expect(run.stderr()).toMatch(/warning: custom isolation trusts the x-isolation-key/)
    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
  })

  it('warns on loopback too, where it is allowed', async () => {
    const run = serve(['--isolation', 'custom', '--data-dir', await tempDir()])
    await run.url
    expect(run.stderr()).toMatch(/any caller that reaches this server can choose whose data/)
  })

  it('--auth jwt: custom isolation by default, the key from the verified token, said at start', async () => {
    const run = serve(['--auth', 'jwt', '--jwt-audience', 'bento', '--data-dir', await tempDir()], { BENTO_JWT_SECRET: SECRET })
    const url = await run.url
    expect(run.stderr()).toMatch(/identity: verified JWT \(HS256 secret from BENTO_JWT_SECRET\); key claim sub/)
    expect(run.stderr()).not.toContain(SECRET)
    expect(await (await fetch(`${url}/api/health`)).json()).toMatchObject({ isolation: 'custom' })
    expect((await fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': 'alice' } })).status).toBe(401)
    expect((await fetch(`${url}/api/documents/list`, { headers: bearer(await hs({ sub: 'alice', aud: 'other' })) })).status).toBe(401)
    expect((await fetch(`${url}/api/documents/list`, { headers: bearer(await hs({ sub: 'alice', aud: 'bento' })) })).status).toBe(200)
  })

  it('takes auth from BENTO_AUTH and refuses jwt flags without --auth jwt, or jwt without a key (exit 2)', async () => {
    const dataDir = await tempDir()
    const flagsOnly = serve(['--jwks', './jwks.json', '--data-dir', dataDir])
    expect(await flagsOnly.exited).toBe(2)
    expect(flagsOnly.stderr()).toMatch(/--jwks options need --auth jwt/)
    const noKey = serve(['--data-dir', dataDir], { BENTO_AUTH: 'jwt' })
    expect(await noKey.exited).toBe(2)
    expect(noKey.stderr()).toMatch(/exactly one of secret \(BENTO_JWT_SECRET\) and jwks/)
    const badMode = serve(['--auth', 'oauth', '--data-dir', dataDir])
    expect(await badMode.exited).toBe(2)
  })
})

describe('bento serve: flags for every library-only option', () => {
  it('--default-key, --chat-models, --max-json-size, --max-file-size and friends reach the server; bad values exit 2', async () => {
    const dataDir = await tempDir()
    const run = serve([
      '--isolation', 'custom', '--default-key', '0', '--chat-models', 'model-a,model-b', '--max-json-size', '2k', '--max-file-size', '1k',
      '--max-text-chars', '5000', '--conversation-ttl', '1h', '--chat-timeout', '30s', '--context-passages', '2', '--data-dir', dataDir,
    ], { OPENROUTER_API_KEY: 'sk-test', BENTO_CHAT_URL: 'http://127.0.0.1:9/v1' })
    const url = await run.url
    // It says which endpoints answer, never the key.
    expect(run.stderr()).toMatch(/bento: chat: http:\/\/127\.0\.0\.1:9\/v1 \(model model-a, key from OPENROUTER_API_KEY\)/)
    expect(run.stderr()).toMatch(/bento: embeddings: local-hash-v1:384 \(offline, in process\)/)
    expect(run.stderr()).not.toContain('sk-test')
    expect(await (await fetch(`${url}/api/chat/models`)).json()).toMatchObject({ models: [{ id: 'model-a' }, { id: 'model-b' }], default: 'model-a' })
    expect((await fetch(`${url}/api/documents/list`)).status).toBe(200)
    const bigJson = await fetch(`${url}/api/documents/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'x'.repeat(3000) }) })
    expect(bigJson.status).toBe(413)
    const form = new FormData()
    form.append('file', new File(['y'.repeat(2048)], 'big.txt', { type: 'text/plain' }))
    expect((await fetch(`${url}/api/documents/upload`, { method: 'POST', body: form })).status).toBe(413)
    const bad = serve(['--max-json-size', '10x', '--data-dir', dataDir])
    expect(await bad.exited).toBe(2)
    expect(bad.stderr()).toMatch(/Invalid --max-json-size "10x"/)
  })
})
