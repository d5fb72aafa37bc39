import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import { contentDisposition } from '../../src/server/download.js'
import { useTempDirs } from '../helpers/temp-dir.js'
import { useServers } from './helpers.js'

const makeServer = useServers()
const tempDir = useTempDirs()
const alice = { 'x-isolation-key': 'alice' }
const bob = { 'x-isolation-key': 'bob' }

const uploadAs = async (app: { request: (p: string, i: RequestInit) => Response | Promise<Response> }, headers: Record<string, string>, name: string, content: string | Uint8Array, metadata?: string) => {
  const body = new FormData()
  body.append('file', new File([typeof content === 'string' ? content : new Uint8Array(content)], name))
  if (metadata !== undefined) body.append('metadata', metadata)
  const response = await app.request('/api/documents/upload', { method: 'POST', headers, body })
  expect(response.status).toBe(200)
  return ((await response.json()) as { documentId: string }).documentId
}

describe('GET /api/documents/:id', () => {
  it('answers the document with its chunk count, sizes, metadata and file', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const text = '# Handbook\n\n' + 'Employees may work remotely on Fridays. '.repeat(60)
    const id = await uploadAs(app, alice, 'handbook.md', text, '{"team":"people","year":2024}')
    const response = await app.request(`/api/documents/${id}`, { headers: alice })
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toEqual({
      id,
      title: 'Handbook',
      source: 'handbook.md',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      fileType: 'md',
      chunks: expect.any(Number),
      bytes: Buffer.byteLength(text),
      textBytes: expect.any(Number),
      metadata: { team: 'people', year: 2024 },
      file: { name: 'handbook.md', bytes: Buffer.byteLength(text), contentType: 'text/markdown; charset=utf-8' },
    })
    expect(body.chunks).toBeGreaterThan(1)
  })

  it('is 404 for another scope\'s document and for an unknown id, 400 for an id that is too long', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const id = await uploadAs(app, alice, 'secret.txt', 'Alice\'s secret plan.')
    for (const path of [`/api/documents/${id}`, `/api/documents/${id}/file`]) {
      const response = await app.request(path, { headers: bob })
      expect(response.status, path).toBe(404)
      expect(await response.text()).not.toContain('secret plan')
    }
    expect((await app.request('/api/documents/doc_000000000000000000000000', { headers: alice })).status).toBe(404)
    expect((await app.request(`/api/documents/${'x'.repeat(400)}`, { headers: alice })).status).toBe(400)
  })
})

describe('GET /api/documents/:id/file', () => {
  it('answers the original bytes with their content type and an attachment disposition', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const json = '{"policy":"refunds within 14 days"}'
    const id = await uploadAs(app, alice, 'policy.json', json)
    const response = await app.request(`/api/documents/${id}/file`, { headers: alice })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="policy.json"; filename*=UTF-8''policy.json`)
    expect(await response.text()).toBe(json)
  })

  it('serves an uploaded HTML page as a sandboxed, unsniffed attachment, never as a page of the origin', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const id = await uploadAs(app, alice, 'page.html', '<html><body><p>hello</p><script>alert(document.cookie)</script></body></html>')
    const response = await app.request(`/api/documents/${id}/file`, { headers: alice })
    expect(response.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-security-policy')).toContain('sandbox')
  })

  it('answers 404 rather than follow a document folder swapped for a symlink', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const id = await uploadAs(app, alice, 'notes.txt', 'Plain notes.')
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'notes.txt'), 'stolen')
    const dir = path.join(createLayout(server.config.dataDir).uploadsDir(customScope('alice')), id)
    await rm(dir, { recursive: true })
    await symlink(outside, dir)
    const response = await app.request(`/api/documents/${id}/file`, { headers: alice })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(await response.text()).not.toContain('stolen')
  })

  it('answers 404 when the original is gone', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const id = await uploadAs(app, alice, 'notes.txt', 'Plain notes.')
    const dir = path.join(createLayout(server.config.dataDir).uploadsDir(customScope('alice')), id)
    await rm(dir, { recursive: true })
    await mkdir(dir)
    expect(await readdir(dir)).toEqual([])
    const response = await app.request(`/api/documents/${id}/file`, { headers: alice })
    expect(response.status).toBe(404)
    const detail = (await (await app.request(`/api/documents/${id}`, { headers: alice })).json()) as { file: unknown }
    expect(detail.file).toBeNull()
  })
})

describe('contentDisposition', () => {
  it.each([
    ['report.pdf', `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`],
    ['a"b.txt', `attachment; filename="a_b.txt"; filename*=UTF-8''a%22b.txt`],
    ['x\r\nSet-Cookie: a=b.txt', `attachment; filename="x__Set-Cookie: a=b.txt"; filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db.txt`],
    ['résumé; filename=evil.txt', `attachment; filename="r_sum__ filename=evil.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%3B%20filename%3Devil.txt`],
  ])('cannot be broken out of by the name %j', (name, expected) => {
    expect(contentDisposition(name)).toBe(expected)
  })
})
