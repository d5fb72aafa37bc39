/**
 * Fault: EIO while DELETE /api/documents/:id removed the upload, after the
 * chunks were already deleted, left an orphan upload that no retry could reach
 * (the retry answered 404, so inspect --verify stayed unhealthy). Found by the
 * I/O-fault sweep (compaction case, EIO at fs call 61).
 */
import { readdir } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { errnoError, setFaultInjector } from '../../src/core/faults.js'
import { customScope } from '../../src/core/keys.js'
import { inspectScope } from '../../src/ops/index.js'
import { uploadForm, useServers } from '../server/helpers.js'

const makeServer = useServers()
afterEach(() => setFaultInjector(undefined))

describe('fault: EIO while deleting a document', () => {
  it('leaves nothing a retry cannot finish', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const headers = { 'x-isolation-key': 'deleter' }
    const upload = await app.request('/api/documents/upload', { method: 'POST', headers, body: uploadForm('gone.txt', 'a document to delete') })
    const { documentId } = (await upload.json()) as { documentId: string }
    const uploads = server.backend.layout.uploadsDir(customScope('deleter'))
    setFaultInjector((op, p) => (op === 'rm' && p.startsWith(uploads) ? errnoError('EIO', op, p) : undefined))
    const failed = await app.request(`/api/documents/${documentId}`, { method: 'DELETE', headers })
    expect(failed.status).toBe(500)
    setFaultInjector(undefined)
    const retry = await app.request(`/api/documents/${documentId}`, { method: 'DELETE', headers })
    expect(retry.status).toBe(200)
    expect(await readdir(uploads)).toEqual([])
    const report = await inspectScope(server.backend, customScope('deleter'), { verify: true })
    expect(report.problems).toEqual([])
    expect(report.documents).toEqual([])
  })
})
