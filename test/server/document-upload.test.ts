import { readdir } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { customScope } from '../../src/core/keys.js'
import { createLayout } from '../../src/core/layout.js'
import { jsonRequest, useServers } from './helpers.js'

const makeServer = useServers()
const headers = { 'x-isolation-key': 'user_1' }

const form = (files: Array<[name: string, content: string]>, fields: Record<string, string> = {}): FormData => {
  const body = new FormData()
  for (const [name, content] of files) body.append('file', new File([content], name, { type: 'text/plain' }))
  for (const [name, value] of Object.entries(fields)) body.append(name, value)
  return body
}

type Outcome = { file: string; outcome: string; documentId?: string; replaced?: string[]; reason?: string; error?: { code: string } }

const upload = async (app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, files: Array<[string, string]>, query = '', fields?: Record<string, string>) => {
  const response = await app.request(`/api/documents/upload${query}`, { method: 'POST', headers, body: form(files, fields) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { results: Outcome[]; error?: { code: string; message: string } } }
}

const V1 = 'Refunds are accepted within 30 days of purchase.'
const V2 = 'Refunds are accepted within 14 days of purchase.'

describe('re-uploading an edited file (replace by source)', () => {
  it('replaces the old document by default, so chat and search no longer see the 30-day rule', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const first = await upload(app, [['notes.md', V1]])
    expect(first.body).toMatchObject({ outcome: 'added', replaced: [], documentId: expect.any(String), chunks: 1, title: expect.any(String), fileType: 'md' })
    const second = await upload(app, [['notes.md', V2]])
    expect(second.status).toBe(200)
    expect(second.body).toMatchObject({ outcome: 'replaced', replaced: [first.body.documentId], message: expect.stringMatching(/^Replaced/) })
    expect(second.body.results).toEqual([expect.objectContaining({ file: 'notes.md', outcome: 'replaced', replaced: [first.body.documentId] })])

    const list = (await (await app.request('/api/documents/list', { headers })).json()) as { documents: Array<{ id: string }> }
    expect(list.documents.map((document) => document.id)).toEqual([second.body.documentId])
    const search = (await (await app.request('/api/documents/search', jsonRequest('POST', { query: 'refund days', limit: 5 }, headers))).json()) as { results: Array<{ content: string }> }
    expect(search.results.map((result) => result.content)).toEqual([V2])
    const uploads = await readdir(createLayout(server.config.dataDir).uploadsDir(customScope('user_1')))
    expect(uploads).toEqual([second.body.documentId])
  })

  it('keep-both keeps both versions; reject answers 409 and changes nothing', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const first = await upload(app, [['notes.md', V1]])
    const kept = await upload(app, [['notes.md', V2]], '?onConflict=keep-both')
    expect(kept.body).toMatchObject({ outcome: 'added', replaced: [] })
    const rejected = await upload(app, [['notes.md', 'A third version.']], '?onConflict=reject')
    expect(rejected.status).toBe(409)
    expect(rejected.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('notes.md') })
    const list = (await (await app.request('/api/documents/list', { headers })).json()) as { documents: Array<{ id: string }> }
    expect(list.documents.map((document) => document.id).sort()).toEqual([first.body.documentId, kept.body.documentId].sort())
  })

  it('refuses an unknown onConflict value and an unknown query parameter, naming them', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const bad = await upload(app, [['notes.md', V1]], '?onConflict=overwrite')
    expect(bad.status).toBe(400)
    expect(bad.body.error!.message).toContain('onConflict')
    const unknown = await upload(app, [['notes.md', V1]], '?on_conflict=reject')
    expect(unknown.status).toBe(400)
    expect(unknown.body.error!.message).toContain('did you mean "onConflict"')
    expect(((await (await app.request('/api/documents/list', { headers })).json()) as { documents: unknown[] }).documents).toEqual([])
  })
})

describe('several files in one upload', () => {
  it('stores every file, one outcome each, where the first file was the only one kept before', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    await upload(app, [['a.txt', 'Alpha document about apples.']])
    const result = await upload(app, [['a.txt', 'Alpha document about apricots.'], ['b.md', '# B\nBeta about bananas.'], ['c.txt', 'Gamma about cherries.']])
    expect(result.status).toBe(200)
    expect(result.body.results.map((outcome) => [outcome.file, outcome.outcome])).toEqual([['a.txt', 'replaced'], ['b.md', 'added'], ['c.txt', 'added']])
    expect(result.body.documentId).toBeUndefined()
    const list = (await (await app.request('/api/documents/list', { headers })).json()) as { documents: Array<{ source: string }> }
    expect(list.documents.map((document) => document.source).sort()).toEqual(['a.txt', 'b.md', 'c.txt'])
  })

  it('reports a file that cannot be ingested and stores the others (all or reported)', async () => {
    const server = await makeServer({ isolation: 'custom', uploadLimits: { maxFileBytes: 1024 } })
    const app = server.getApp()
    const result = await upload(app, [['good.txt', 'A good file about owls.'], ['tool.exe', 'MZ'], ['empty.txt', ''], ['big.txt', 'x'.repeat(4096)]])
    expect(result.status).toBe(200)
    expect(result.body.results.map((outcome) => [outcome.file, outcome.outcome, outcome.error?.code])).toEqual([
      ['good.txt', 'added', undefined],
      ['tool.exe', 'skipped', 'unsupported_type'],
      ['empty.txt', 'skipped', 'empty_file'],
      ['big.txt', 'skipped', 'too_large'],
    ])
    const list = (await (await app.request('/api/documents/list', { headers })).json()) as { documents: Array<{ source: string }> }
    expect(list.documents.map((document) => document.source)).toEqual(['good.txt'])
  })

  it('under reject, skips the conflicting file with its reason and stores the rest', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const first = await upload(app, [['a.txt', V1]])
    const result = await upload(app, [['a.txt', V2], ['b.txt', 'Another file.']], '?onConflict=reject')
    expect(result.body.results).toEqual([
      expect.objectContaining({ file: 'a.txt', outcome: 'skipped', error: expect.objectContaining({ code: 'conflict' }), reason: expect.stringContaining(String(first.body.documentId)) }),
      expect.objectContaining({ file: 'b.txt', outcome: 'added' }),
    ])
  })

  it('refuses more files than maxFiles and unknown form fields before storing anything', async () => {
    const server = await makeServer({ isolation: 'custom', uploadLimits: { maxFiles: 2 } })
    const app = server.getApp()
    const many = await upload(app, [['a.txt', 'a'], ['b.txt', 'b'], ['c.txt', 'c']])
    expect(many.status).toBe(400)
    expect(many.body.error!.message).toContain('At most 2 files')
    const unknown = await upload(app, [['a.txt', 'a']], '', { files: 'x' })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error!.message).toContain('"files"')
    expect(await readdir(server.config.dataDir).catch(() => [])).not.toContain('uploads')
  })
})

describe('metadata on upload and filter in search', () => {
  it('stores the metadata with every chunk and filters on it, on source, fileType and createdAt; bad filters are a 400', async () => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    await upload(app, [['billing.md', 'Refunds for invoices take 14 days.']], '', { metadata: '{"team":"billing","year":2024}' })
    await upload(app, [['support.md', 'Refunds for broken devices take 30 days.']], '', { metadata: '{"team":"support"}' })
    const search = async (filter: unknown) => {
      const response = await app.request('/api/documents/search', jsonRequest('POST', { query: 'refunds days', limit: 5, filter }, headers))
      return { status: response.status, body: (await response.json()) as { results: Array<{ metadata: Record<string, unknown> }>; error?: { message: string } } }
    }
    const billing = await search({ metadata: { team: 'billing' } })
    expect(billing.body.results.map((result) => result.metadata.source)).toEqual(['billing.md'])
    expect(billing.body.results[0]!.metadata).toMatchObject({ team: 'billing', year: 2024 })
    expect((await search({ metadata: { team: { in: ['billing', 'support'] } } })).body.results).toHaveLength(2)
    expect((await search({ source: 'support.md', fileType: 'md' })).body.results.map((r) => r.metadata.team)).toEqual(['support'])
    expect((await search({ createdAt: { lt: '2000-01-01T00:00:00Z' } })).body.results).toEqual([])
    const bad = await search({ metadata: { team: { eq: 'x' } } })
    expect(bad.status).toBe(400)
    const badMetadata = await upload(app, [['x.md', 'x']], '', { metadata: '{"source":"evil"}' })
    expect(badMetadata.status).toBe(400)
    expect(badMetadata.body.error!.message).toContain("Bento's own")
  })
})
