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
