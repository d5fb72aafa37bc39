import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Document, Packer, Paragraph } from 'docx'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { customScope, sharedScope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import { jsonRequest, listTree, uploadForm, useServers } from './helpers.js'

const makeServer = useServers()

const makePdf = async (text: string): Promise<Uint8Array> => {
  const pdf = await PDFDocument.create()
  const page = pdf.addPage()
  page.drawText(text, { x: 50, y: 700, size: 12, font: await pdf.embedFont(StandardFonts.Helvetica) })
  return pdf.save()
}
const makeDocx = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph(text)] }] })))

describe('documents API', () => {
  it('uploads every supported type, lists them with Bento\'s shape and keeps the originals in the scope', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const headers = { 'x-isolation-key': 'user_1' }
    const files: Array<[string, string | Uint8Array, string]> = [
      ['notes.txt', 'Plain text about hedgehogs.', 'text/plain'],
      ['readme.md', '# Readme\nMarkdown about otters.', 'text/markdown'],
      ['page.html', '<html><head><title>Page</title></head><body><p>HTML about badgers.</p></body></html>', 'text/html'],
      ['data.json', JSON.stringify({ animal: 'ferret', facts: ['curious'] }), 'application/json'],
      ['paper.pdf', await makePdf('PDF about beavers.'), 'application/pdf'],
      ['letter.docx', await makeDocx('DOCX about moles.'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ]
    const ids: string[] = []
    for (const [name, content, type] of files) {
      const response = await app.request('/api/documents/upload', { method: 'POST', headers, body: uploadForm(name, content, type) })
      expect(response.status, name).toBe(200)
      const body = (await response.json()) as { message: string; documentId: string; chunks: number }
      expect(body.message).toEqual(expect.any(String))
      expect(body.chunks).toBeGreaterThan(0)
      ids.push(body.documentId)
    }
    const list = (await (await app.request('/api/documents/list', { headers })).json()) as { documents: Array<Record<string, unknown>> }
    expect(list.documents).toHaveLength(6)
    for (const doc of list.documents) {
      expect(Object.keys(doc).sort()).toEqual(['bytes', 'chunks', 'createdAt', 'fileType', 'id', 'metadata', 'source', 'title'])
    }
    expect(list.documents.map((doc) => doc.fileType).sort()).toEqual(['docx', 'html', 'json', 'md', 'pdf', 'txt'])
    const uploads = await listTree(createLayout(server.config.dataDir).uploadsDir(customScope('user_1')))
    for (const [name] of files) expect(uploads.some((entry) => entry.endsWith(`/${name}`)), name).toBe(true)
  })

  it('searches hybrid by default: the matching passage with a 0–1 score; vector mode ranks every passage', async () => {
    const server = await makeServer()
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('cats.txt', 'Cats purr and chase mice around the barn.') })
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('rockets.txt', 'Rockets burn liquid oxygen and kerosene to reach orbit.') })
    const response = await app.request('/api/documents/search', jsonRequest('POST', { query: 'liquid oxygen rockets orbit', limit: 5 }))
    expect(response.status).toBe(200)
    const body = (await response.json()) as { query: string; mode: string; noMatch: boolean; results: Array<{ id: string; title: string; content: string; metadata: object; score: number }> }
    expect(body).toMatchObject({ query: 'liquid oxygen rockets orbit', mode: 'hybrid', lexicalIndex: true, noMatch: false })
    // The cats passage shares no word with the query: not a match.
    expect(body.results.map((row) => row.title)).toEqual(['rockets.txt'])
    expect(body.results[0]!.score).toBeGreaterThan(0)
    expect(body.results[0]!.score).toBeLessThanOrEqual(1)
    expect(Object.keys(body.results[0]!).sort()).toEqual(['content', 'id', 'metadata', 'score', 'title'])
    expect(body.results[0]!.metadata).toMatchObject({ source: 'rockets.txt', fileType: 'txt', chunkIndex: 0 })

    const vector = (await (await app.request('/api/documents/search', jsonRequest('POST', { query: 'liquid oxygen rockets orbit', mode: 'vector' }))).json()) as typeof body
    expect(vector.mode).toBe('vector')
    expect(vector.results.map((row) => row.title)).toEqual(['rockets.txt', 'cats.txt'])
    expect(vector.results[0]!.score).toBeGreaterThan(vector.results[1]!.score)
    const lexical = (await (await app.request('/api/documents/search', jsonRequest('POST', { query: 'kerosene', mode: 'lexical', minScore: 0.1 }))).json()) as typeof body
    expect(lexical.results.map((row) => row.title)).toEqual(['rockets.txt'])
  })

  it('answers a nonsense query with no results and noMatch, and refuses an unknown mode', async () => {
    const server = await makeServer()
    const app = server.getApp()
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('rockets.txt', 'Rockets burn liquid oxygen and kerosene to reach orbit.') })
    const body = await (await app.request('/api/documents/search', jsonRequest('POST', { query: 'qqqzzzkkk' }))).json()
    expect(body).toEqual({ query: 'qqqzzzkkk', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] })
    const bad = await app.request('/api/documents/search', jsonRequest('POST', { query: 'x', mode: 'semantic' }))
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_input')
  })

  it('answers an empty result, not 404, for a user who has uploaded nothing yet', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const response = await server.getApp().request('/api/documents/search', jsonRequest('POST', { query: 'anything' }, { 'x-isolation-key': 'user-new' }))
    expect([response.status, await response.json()]).toEqual([200, { query: 'anything', mode: 'hybrid', lexicalIndex: true, noMatch: true, results: [] }])
    expect(await listTree(server.config.dataDir)).toEqual([])
  })

  it('deletes one document with its original, then all documents with the scope\'s uploads', async () => {
    const server = await makeServer()
    const app = server.getApp()
    const uploadsDir = createLayout(server.config.dataDir).uploadsDir(sharedScope())
    const first = (await (await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('one.txt', 'first document') })).json()) as { documentId: string }
    await app.request('/api/documents/upload', { method: 'POST', body: uploadForm('two.txt', 'second document') })
    expect((await app.request(`/api/documents/${first.documentId}`, { method: 'DELETE' })).status).toBe(200)
    expect((await listTree(uploadsDir)).some((entry) => entry.endsWith('one.txt'))).toBe(false)
    expect((await listTree(uploadsDir)).some((entry) => entry.endsWith('two.txt'))).toBe(true)
    const again = await app.request(`/api/documents/${first.documentId}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await again.json()).toMatchObject({ error: { code: 'not_found' } })
    const all = await app.request('/api/documents', { method: 'DELETE' })
    expect(await all.json()).toMatchObject({ deleted: 1 })
    expect(await listTree(uploadsDir)).toEqual([])
    expect(((await (await app.request('/api/documents/list')).json()) as { documents: unknown[] }).documents).toEqual([])
  })

  it('does not let a document id reach outside the uploads dir (delete of ../ is 404, nothing removed)', async () => {
    const server = await makeServer()
    const app = server.getApp()
    const victim = path.join(server.config.dataDir, 'keep.txt')
    await writeFile(victim, 'keep')
    for (const id of ['..%2F..%2Fkeep.txt', '%2E%2E', '..']) {
      const response = await app.request(`/api/documents/${id}`, { method: 'DELETE' })
      expect([404, 400]).toContain(response.status)
    }
    expect(await listTree(server.config.dataDir)).toContain('keep.txt')
  })
})

describe('errors are JSON { error: { code, message } }, never a stack', () => {
  it('413 for an upload over the size limit', async () => {
    const server = await makeServer({ uploadLimits: { maxFileBytes: 1024 } })
    const response = await server.getApp().request('/api/documents/upload', { method: 'POST', body: uploadForm('big.txt', 'x'.repeat(200 * 1024)) })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'too_large' } })
  })

  it('413 for a file just over the limit even inside the multipart allowance', async () => {
    const server = await makeServer({ uploadLimits: { maxFileBytes: 1024 } })
    const response = await server.getApp().request('/api/documents/upload', { method: 'POST', body: uploadForm('big.txt', 'x'.repeat(2048)) })
    expect(response.status).toBe(413)
  })

  it('415 for an unsupported file type', async () => {
    const server = await makeServer()
    const response = await server.getApp().request('/api/documents/upload', { method: 'POST', body: uploadForm('program.exe', new Uint8Array([0x4d, 0x5a, 0, 1, 2]), 'application/octet-stream') })
    expect(response.status).toBe(415)
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_type' } })
  })

  it('422 for an empty file', async () => {
    const server = await makeServer()
    const response = await server.getApp().request('/api/documents/upload', { method: 'POST', body: uploadForm('empty.txt', '') })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ error: { code: 'empty_file' } })
  })

  it('400 for an upload without a file field, malformed JSON, and a bad search body', async () => {
    const server = await makeServer()
    const app = server.getApp()
    const noFile = new FormData()
    noFile.append('other', 'x')
    expect((await app.request('/api/documents/upload', { method: 'POST', body: noFile })).status).toBe(400)
    const malformed = await app.request('/api/documents/search', jsonRequest('POST', '{"query": '))
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toEqual({ error: { code: 'invalid_input', message: 'The request body is not valid JSON.' } })
    const badLimit = await app.request('/api/documents/search', jsonRequest('POST', { query: 'x', limit: 0 }))
    expect(badLimit.status).toBe(400)
    expect(((await badLimit.json()) as { error: { message: string } }).error.message).toContain('limit')
  })

  it('413 for a JSON body over the limit', async () => {
    const server = await makeServer({ maxJsonBytes: 2048 })
    const response = await server.getApp().request('/api/documents/search', jsonRequest('POST', { query: 'q'.repeat(5000) }))
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'too_large' } })
  })

  it('404 JSON for unknown routes', async () => {
    const server = await makeServer()
    const response = await server.getApp().request('/api/nothing-here')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } })
  })

  it('500 without internals when the filesystem fails', async () => {
    const { setFaultInjector, errnoError } = await import('../../src/core/faults.js')
    const server = await makeServer()
    setFaultInjector((op, target) => (op === 'writeFile' || op === 'mkdir') && target.includes(server.config.dataDir) ? errnoError('EIO', op, target) : undefined)
    try {
      const response = await server.getApp().request('/api/documents/upload', { method: 'POST', body: uploadForm('a.txt', 'some text') })
      expect(response.status).toBe(500)
      const text = await response.text()
      expect(JSON.parse(text)).toEqual({ error: { code: 'io_error', message: 'The server failed to complete the request.' } })
      expect(text).not.toContain(server.config.dataDir)
      expect(text).not.toMatch(/at .*\.ts:\d+/)
    } finally {
      setFaultInjector(undefined)
    }
  })
})
