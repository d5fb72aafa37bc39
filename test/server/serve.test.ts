/**
 * `bento serve` as a real child process of the compiled CLI (`npm test` builds
 * dist/ first): prints its URL, serves, and shuts down cleanly on SIGTERM and
 * SIGINT, flushing what it holds.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { useTempDirs } from '../helpers/temp-dir.js'
import { uploadForm } from './helpers.js'

const BIN = fileURLToPath(new URL('../../bin/bento.js', import.meta.url))
const tempDir = useTempDirs()
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BENTO_') && name !== 'PORT' && name !== 'OPENROUTER_API_KEY'))

const startServe = (args: string[], env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`bento serve exited with ${code}: ${stderr}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, url, exited, stderr: () => stderr }
}

describe('bento serve', () => {
  it('prints its URL on 127.0.0.1, serves the API, and stops cleanly on SIGTERM with the data flushed', async () => {
    const dataDir = await tempDir()
    const serve = startServe(['--port', '0', '--isolation', 'custom', '--data-dir', dataDir, '--session-ttl', '2h', '--max-open-stores', '8'])
    const url = await serve.url
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await (await fetch(`${url}/api/health`)).json()).toMatchObject({ status: 'ok', isolation: 'custom' })
    const upload = await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: { 'x-isolation-key': 'user-1' }, body: uploadForm('a.txt', 'served text') })
    expect(upload.status).toBe(200)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    expect(serve.stderr()).toContain('stopped')
    expect(serve.stderr()).not.toMatch(/at .*\.js:\d+/)
    const files = await readdir(path.join(dataDir, 'vectors', 'isolated', 'user-1'))
    expect(files).toEqual(expect.arrayContaining(['hnswlib.index', 'docstore.json', 'args.json']))
  })

  it('takes its settings from the environment and stops on SIGINT', async () => {
    const dataDir = await tempDir()
    const serve = startServe([], { PORT: '0', BENTO_ISOLATION: 'session', BENTO_DATA_DIR: dataDir })
    const url = await serve.url
    const response = await fetch(`${url}/api/documents/list`)
    expect(response.headers.get('x-session-id')).toMatch(/^[0-9a-f]{32}$/)
    serve.child.kill('SIGINT')
    expect(await serve.exited).toBe(0)
  })

  it('refuses bad flags with exit code 2 and a one-line message', async () => {
    const serve = startServe(['--isolation', 'everyone', '--data-dir', await tempDir()])
    await expect(serve.url).rejects.toThrow()
    expect(await serve.exited).toBe(2)
    expect(serve.stderr().trim()).toBe('bento: Invalid --isolation "everyone": expected none, session or custom.')
  })

  it('passes --read-freshness (or BENTO_READ_FRESHNESS) to the backend: 0 sees another process\'s journal at once', async () => {
    const journalScope = async (dataDir: string) => {
      const intent = { id: 'op-abc-0123456789ab', op: 'migrate-rename', scopes: [{ kind: 'custom', key: 'user-1', dir: 'user-1' }], phase: 'start', pid: 1, host: 'elsewhere', createdAt: new Date().toISOString(), data: {} }
      await mkdir(path.join(dataDir, '.bento', 'journal'), { recursive: true })
      await writeFile(path.join(dataDir, '.bento', 'journal', `${intent.id}.json`), JSON.stringify(intent))
    }
    const statusAfterJournal = async (serve: ReturnType<typeof startServe>, dataDir: string) => {
      const url = await serve.url
      const list = () => fetch(`${url}/api/documents/list`, { headers: { 'x-isolation-key': 'user-1' } })
      expect((await list()).status).toBe(200)
      await journalScope(dataDir)
      return (await list()).status
    }
    const strictDir = await tempDir()
    const strict = startServe(['--port', '0', '--isolation', 'custom', '--data-dir', strictDir, '--read-freshness', '0'])
    expect(await statusAfterJournal(strict, strictDir)).toBe(503)
    const relaxedDir = await tempDir()
    const relaxed = startServe(['--port', '0', '--isolation', 'custom', '--data-dir', relaxedDir], { BENTO_READ_FRESHNESS: '600000' })
    expect(await statusAfterJournal(relaxed, relaxedDir)).toBe(200)
    for (const serve of [strict, relaxed]) serve.child.kill('SIGTERM')
    expect(await Promise.all([strict.exited, relaxed.exited])).toEqual([0, 0])

    const bad = startServe(['--read-freshness', '1.5', '--data-dir', await tempDir()])
    await expect(bad.url).rejects.toThrow()
    expect(await bad.exited).toBe(2)
    expect(bad.stderr().trim()).toBe('bento: Invalid --read-freshness "1.5": expected a whole number of milliseconds (0 or more).')
  })

  it('trusts X-Forwarded-Proto for the Secure cookie only with --trust-proxy (or BENTO_TRUST_PROXY=1)', async () => {
    const secureCookie = async (serve: ReturnType<typeof startServe>) => {
      const response = await fetch(`${await serve.url}/api/documents/list`, { headers: { 'x-forwarded-proto': 'https' } })
      const cookie = response.headers.getSetCookie().find((line) => line.startsWith('bento_session='))
      expect(cookie).toBeDefined()
      return /;\s*Secure(;|$)/i.test(cookie!)
    }
    const args = async () => ['--port', '0', '--isolation', 'session', '--data-dir', await tempDir()]
    const byFlag = startServe([...(await args()), '--trust-proxy'])
    const byEnv = startServe(await args(), { BENTO_TRUST_PROXY: '1' })
    const untrusted = startServe(await args())
    expect(await Promise.all([byFlag, byEnv, untrusted].map(secureCookie))).toEqual([true, true, false])
    for (const serve of [byFlag, byEnv, untrusted]) serve.child.kill('SIGTERM')
    expect(await Promise.all([byFlag.exited, byEnv.exited, untrusted.exited])).toEqual([0, 0, 0])
  })

  it('refuses the old millisecond variable instead of silently serving with the default TTL', async () => {
    const serve = startServe(['--port', '0', '--data-dir', await tempDir()], { BENTO_SESSION_TTL_MS: '3600000' })
    await expect(serve.url).rejects.toThrow()
    expect(await serve.exited).toBe(2)
    expect(serve.stderr().trim()).toBe('bento: BENTO_SESSION_TTL_MS is no longer read: set BENTO_SESSION_TTL to a duration such as 24h or 30m.')
  })

  it('names the variable the user set (BENTO_MAX_OPEN_STORES=0), and a flag wins over a bad variable (--max-store-memory too)', async () => {
    const bad = startServe(['--port', '0', '--data-dir', await tempDir()], { BENTO_MAX_OPEN_STORES: '0' })
    await expect(bad.url).rejects.toThrow()
    expect(await bad.exited).toBe(2)
    expect(bad.stderr().trim()).toBe('bento: Invalid BENTO_MAX_OPEN_STORES "0": expected a whole number of at least 1.')
    const badBudget = startServe(['--port', '0', '--data-dir', await tempDir(), '--max-store-memory', 'lots'])
    await expect(badBudget.url).rejects.toThrow()
    expect(await badBudget.exited).toBe(2)
    expect(badBudget.stderr().trim()).toBe('bento: Invalid --max-store-memory "lots": use a number of bytes, or with a unit: 512k, 10m, 1g.')
    const flagged = startServe(['--port', '0', '--data-dir', await tempDir(), '--session-ttl', '2h', '--max-open-stores', '4', '--max-store-memory', '64m'], { BENTO_SESSION_TTL_MS: '3600000', BENTO_MAX_OPEN_STORES: '0', BENTO_MAX_STORE_MEMORY: 'lots' })
    expect((await fetch(`${await flagged.url}/api/health`)).status).toBe(200)
    flagged.child.kill('SIGTERM')
    expect(await flagged.exited).toBe(0)
  })
})
