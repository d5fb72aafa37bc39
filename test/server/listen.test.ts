import { describe, expect, it } from 'vitest'
import { createBentoServer } from '../../src/server/index.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { uploadForm } from './helpers.js'

const tempDir = useTempDirs()

describe('start and stop', () => {
  it('binds 127.0.0.1 by default, serves real HTTP, and stop() flushes so a new server sees the data', async () => {
    const dataDir = await tempDir()
    const first = createBentoServer({ dataDir, logger: false })
    const address = await first.start({ port: 0 })
    expect(address.hostname).toBe('127.0.0.1')
    expect(address.url).toBe(`http://127.0.0.1:${address.port}`)
    const health = await fetch(`${address.url}/api/health`)
    expect(await health.json()).toMatchObject({ status: 'ok' })
    expect((await fetch(`${address.url}/api/documents/upload`, { method: 'POST', body: uploadForm('kept.txt', 'kept across restarts') })).status).toBe(200)
    await first.stop()
    await first.stop()
    await expect(fetch(`${address.url}/api/health`)).rejects.toThrow()

    const second = createBentoServer({ dataDir, logger: false })
    try {
      const again = await second.start({ port: 0 })
      const list = (await (await fetch(`${again.url}/api/documents/list`)).json()) as { documents: Array<{ title: string }> }
      expect(list.documents.map((d) => d.title)).toEqual(['kept.txt'])
    } finally {
      await second.stop()
    }
  })

  it('rejects with a clear error when the port is taken', async () => {
    const a = createBentoServer({ dataDir: await tempDir(), logger: false })
    const b = createBentoServer({ dataDir: await tempDir(), logger: false })
    try {
      const { port } = await a.start({ port: 0 })
      await expect(b.start({ port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await a.stop()
      await b.stop()
    }
  })
})

describe('periodic session cleanup', () => {
  it('a started session-mode server removes expired sessions on its own', async () => {
    const { access } = await import('node:fs/promises')
    const { createLayout } = await import('../../src/core/layout.js')
    const { sessionScope } = await import('../../src/core/keys.js')
    // The server's clock is injected: the session expires once the TTL and the activity window (60 s) have passed on it.
    let clock = Date.now()
    const server = createBentoServer({ dataDir: await tempDir(), logger: false, isolation: 'session', sessionTtlMs: 100, cleanupIntervalMs: 1000, now: () => clock })
    try {
      const { url } = await server.start({ port: 0 })
      const id = crypto.randomUUID()
      await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: { 'x-session-id': id }, body: uploadForm('a.txt', 'short lived') })
      const dir = createLayout(server.config.dataDir).vectorsDir(sessionScope(id))
      await access(dir)
      clock += 100 + 60_000 + 1
      await expect.poll(() => access(dir).then(() => true, () => false), { timeout: 5000, interval: 200 }).toBe(false)
    } finally {
      await server.stop()
    }
  })
})

describe('lifecycle errors', () => {
  it('refuses to start twice or after stop', async () => {
    const server = createBentoServer({ dataDir: await tempDir(), logger: false })
    await server.start({ port: 0 })
    await expect(server.start({ port: 0 })).rejects.toThrow(/already listening/)
    await server.stop()
    await expect(server.start({ port: 0 })).rejects.toThrow(/was stopped/)
  })
})
