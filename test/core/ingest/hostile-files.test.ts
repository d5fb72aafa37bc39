/**
 * Issue 12 items 1, 2 and 7: hostile uploads are refused within their budgets,
 * in a worker, with the documented codes; the next upload still works.
 */
import { describe, expect, it } from 'vitest'
import { TooLargeError, UnreadableFileError } from '../../../src/core/errors.js'
import { extractText } from '../../../src/core/ingest/extract.js'
import { makeDeepHtml, makeDeepJson, makeDocxOfParagraphs, makeSharedStreamPdf } from '../../helpers/hostile-files.js'

const utf8 = (text: string) => new TextEncoder().encode(text)

describe('hostile uploads', () => {
  it('refuses a DOCX of 1.2 M empty paragraphs (a few KB) by its XML element count, before mammoth expands it', async () => {
    const bomb = makeDocxOfParagraphs(1_200_000)
    expect(bomb.length).toBeLessThan(64 * 1024)
    await expect(extractText('bomb.docx', bomb)).rejects.toThrow(TooLargeError)
    await expect(extractText('bomb.docx', bomb)).rejects.toThrow(/more than 1000000 XML elements \(the XML elements budget\)/)
  })

  it('stops a DOCX within the caps whose parse outgrows the memory budget in its worker alone: too_large naming the budget', async () => {
    const heavy = makeDocxOfParagraphs(300_000, '<w:p><w:r><w:t>a</w:t></w:r></w:p>')
    await expect(extractText('heavy.docx', heavy, { extractMemoryMb: 24 })).rejects.toThrow(/needs more than the 24 MB extraction memory budget/)
    expect((await extractText('after.html', utf8('<p>still reading files</p>'))).text).toBe('still reading files')
  })

  it('refuses a 41 KB PDF whose 200 pages share one 10 MiB whitespace stream by its page content, before pdf.js lexes it', async () => {
    const pdf = makeSharedStreamPdf(200, 10 * 1024 * 1024)
    expect(pdf.length).toBeLessThan(64 * 1024)
    // No time budget to hit first: the default 30 s would let pdf.js run (it took 28.6 s) and answer unreadable_file.
    const outcome = extractText('shared.pdf', pdf)
    await expect(outcome).rejects.toThrow(TooLargeError)
    await expect(outcome).rejects.toThrow(/"shared\.pdf" has more than 134217728 bytes of page content to parse by page 13 .*the PDF content budget/)
    // The same stream drawn by a few pages is within the budget, and the budget is a limit like the others.
    await expect(extractText('few.pdf', makeSharedStreamPdf(2, 1024 * 1024))).rejects.toThrow(/contains no text/)
    await expect(extractText('few.pdf', makeSharedStreamPdf(2, 1024 * 1024), { maxPdfContentBytes: 1024 * 1024 })).rejects.toThrow(/by page 2 .*the PDF content budget/)
  })

  it('counts pages kept in a compressed object stream, and content given as an array', async () => {
    const pdf = makeSharedStreamPdf(40, 4 * 1024 * 1024, { objectStream: true, contentsArray: true })
    await expect(extractText('packed.pdf', pdf)).rejects.toThrow(/by page 33 .*the PDF content budget/)
  })

  it('terminates a PDF within the caps whose parse takes longer than the time budget', async () => {
    const pdf = makeSharedStreamPdf(200, 10 * 1024 * 1024)
    const outcome = extractText('shared.pdf', pdf, { extractTimeoutMs: 300, maxPdfContentBytes: 2 ** 40 })
    await expect(outcome).rejects.toThrow(UnreadableFileError)
    await expect(outcome).rejects.toThrow(/took longer than the 0.3 s extraction time budget/)
    expect((await extractText('after.json', utf8('{"title":"ok","a":1}'))).title).toBe('ok')
  })

  it.each([
    ['6,000 levels (36 KB)', makeDeepJson(6000)],
    ['100,000 unclosed [', '['.repeat(100_000)],
    ['3,000 levels around a large array', makeDeepJson(3000, `[${'1,'.repeat(80_000)}1]`)],
  ])('refuses JSON nested %s as unreadable_file naming the depth budget, before a stack overflow', async (_, json) => {
    await expect(extractText('deep.json', utf8(json))).rejects.toThrow(UnreadableFileError)
    await expect(extractText('deep.json', utf8(json))).rejects.toThrow(/nested deeper than 100 levels \(the JSON depth budget\)/)
  })

  it('refuses JSON with more values than its budget as too_large', async () => {
    await expect(extractText('wide.json', utf8(`[${'1,'.repeat(2000)}1]`), { maxJsonNodes: 1000 })).rejects.toThrow(/more than 1000 JSON values/)
  })

  it('stops rendering JSON as soon as its text passes the cap', async () => {
    const json = JSON.stringify({ items: Array.from({ length: 5000 }, (_, i) => `item number ${i}`) })
    await expect(extractText('long.json', utf8(json), { maxTextChars: 1000 })).rejects.toThrow(/more than 1000 characters of text/)
  })

  it('refuses HTML of 300,000 nested <div> as unreadable_file naming the depth budget', async () => {
    const html = makeDeepHtml(300_000)
    await expect(extractText('deep.html', utf8(html))).rejects.toThrow(UnreadableFileError)
    await expect(extractText('deep.html', utf8(html))).rejects.toThrow(/nested deeper than 512 levels \(the HTML depth budget\)/)
  })

  it('reads HTML with many unclosed <p> and void elements: implied end tags are not depth', async () => {
    const html = `<html><body>${'<p>para<br><img src=x>'.repeat(2000)}</body></html>`
    expect((await extractText('sloppy.html', utf8(html))).text).toContain('para')
  })
})
