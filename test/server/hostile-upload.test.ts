/**
 * Issue 12 items 1, 2 and 7 over HTTP: a hostile upload gets a clear 413/422
 * naming the budget it passed, and the server keeps answering meanwhile.
 */
import { describe, expect, it } from 'vitest'
import { makeDeepHtml, makeDeepJson, makeDocxOfParagraphs, makeSharedStreamPdf } from '../helpers/hostile-files.js'
import { uploadForm, useServers } from './helpers.js'

const makeServer = useServers()
const headers = { 'x-isolation-key': 'user_1' }

describe('hostile uploads over HTTP', () => {
  it('answers /api/health while a PDF whose pages share one huge stream is parsed, then refuses the PDF at the time budget', async () => {
    // The PDF content budget would refuse this file before parsing (413, tested in the bad-input suite);
    // raised here so the parse runs into the time budget while /api/health is asked.
    const server = await makeServer({ isolation: 'custom', uploadLimits: { extractTimeoutMs: 3000, maxPdfContentBytes: 2 ** 40 } })
    const { url } = await server.start({ port: 0 })
    let uploadDone = false
    const upload = fetch(`${url}/api/documents/upload`, { method: 'POST', headers, body: uploadForm('shared.pdf', makeSharedStreamPdf(200, 10 * 1024 * 1024), 'application/pdf') })
      .then(async (response) => ({ status: response.status, body: (await response.json()) as { error: { code: string; message: string } } }))
      .finally(() => {
        uploadDone = true
      })
    // Ordering, not timing: health requests one after another, counted while the upload is still pending.
    let answeredDuringUpload = 0
    while (!uploadDone) {
      const health = await fetch(`${url}/api/health`)
      expect(health.status).toBe(200)
      await health.text()
      if (!uploadDone) answeredDuringUpload++
    }
    const { status, body } = await upload
    expect(status).toBe(422)
    expect(body.error.code).toBe('unreadable_file')
    expect(body.error.message).toMatch(/"shared\.pdf".*3 s extraction time budget/)
    expect(answeredDuringUpload).toBeGreaterThan(5)
  })

  it.each([
    ['bomb.docx', 413, 'too_large', /XML elements budget/, () => makeDocxOfParagraphs(1_200_000)],
    ['deep.json', 422, 'unreadable_file', /JSON depth budget/, () => makeDeepJson(6000)],
    ['brackets.json', 422, 'unreadable_file', /JSON depth budget/, () => '['.repeat(100_000)],
    ['deep.html', 422, 'unreadable_file', /HTML depth budget/, () => makeDeepHtml(300_000)],
  ] as const)('refuses %s with %i %s naming the budget, and writes nothing', async (name, status, code, message, make) => {
    const server = await makeServer({ isolation: 'custom' })
    const app = server.getApp()
    const response = await app.request('/api/documents/upload', { method: 'POST', headers, body: uploadForm(name, make()) })
    expect(response.status).toBe(status)
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe(code)
    expect(body.error.message).toMatch(message)
    const list = await app.request('/api/documents/list', { headers })
    expect(((await list.json()) as { documents: unknown[] }).documents).toEqual([])
  })
})
