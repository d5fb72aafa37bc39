import { describe, expect, it } from 'vitest'
import { extractText } from '../../../src/core/ingest/extract.js'
import { EmptyFileError, InvalidOptionsError, TooLargeError, UnreadableFileError, UnsupportedTypeError } from '../../../src/core/errors.js'
import { makeDocx, makePdf } from './make-files.js'

const utf8 = (text: string) => new TextEncoder().encode(text)

describe('extractText', () => {
  it('reads plain text as is, titled by its file name', async () => {
    const doc = await extractText('speech.txt', utf8('\ufeffFour score and seven years ago\r\nour fathers brought forth.\n'))
    expect(doc).toEqual({ title: 'speech.txt', text: 'Four score and seven years ago\nour fathers brought forth.', fileType: 'txt' })
  })

  it('titles Markdown by its first "# " heading', async () => {
    const doc = await extractText('n.md', utf8('Intro line\n\n## Not this\n\n# The Real Title ##\n\nBody text.\n'))
    expect(doc.title).toBe('The Real Title')
    expect(doc.text).toContain('Body text.')
    expect((await extractText('plain.md', utf8('#hashtag only\n\ntext'))).title).toBe('plain.md')
  })

  it('reads the visible text of HTML, titled by <title>', async () => {
    const html = `<!doctype html><html><head><title> Bill &amp; Rights </title><style>p { color: red }</style>
      <script>var secret = "do-not-index"</script></head>
      <body><h1>First Amendment</h1><p>Congress shall make <a href="https://example.com">no law</a>.</p><img src="x.png" alt="pic"></body></html>`
    const doc = await extractText('page.html', utf8(html))
    expect(doc.title).toBe('Bill & Rights')
    expect(doc.fileType).toBe('html')
    expect(doc.text).toContain('First Amendment')
    expect(doc.text).toContain('Congress shall make no law.')
    expect(doc.text).not.toMatch(/do-not-index|color: red|example\.com|x\.png/)
  })

  it('falls back to the file name for HTML without a title', async () => {
    expect((await extractText('bare.htm', utf8('<p>Just a paragraph</p>'))).title).toBe('bare.htm')
  })

  it('renders JSON values as readable lines, titled by a top-level title', async () => {
    const json = { title: 'Amendments', items: [{ number: 'XIII', text: 'Neither slavery nor involuntary servitude' }], ratified: true, year: 1865, none: null }
    const doc = await extractText('a.json', utf8(JSON.stringify(json)))
    expect(doc.title).toBe('Amendments')
    expect(doc.text).toBe(['title: Amendments', 'items:', '  -', '    number: XIII', '    text: Neither slavery nor involuntary servitude', 'ratified: true', 'year: 1865', 'none: null'].join('\n'))
  })

  it('rejects invalid JSON as UnreadableFileError naming the file', async () => {
    await expect(extractText('bad.json', utf8('{"a": 1,'))).rejects.toThrow(UnreadableFileError)
    await expect(extractText('bad.json', utf8('{"a": 1,'))).rejects.toThrow(/"bad\.json".*not valid JSON/)
  })

  it('reads every page of a real PDF, titled by its metadata', async () => {
    const bytes = await makePdf({ title: 'The New Colossus', paragraphs: ['Give me your tired, your poor,', 'Your huddled masses yearning to breathe free'] })
    const doc = await extractText('colossus.pdf', bytes)
    expect(doc.title).toBe('The New Colossus')
    expect(doc.fileType).toBe('pdf')
    expect(doc.text).toContain('Give me your tired, your poor,')
    expect(doc.text).toContain('Your huddled masses yearning to breathe free')
    expect(doc.text.indexOf('Give me')).toBeLessThan(doc.text.indexOf('huddled'))
  })

  it('leaves the caller\'s PDF bytes intact', async () => {
    const bytes = await makePdf({ paragraphs: ['intact'] })
    const copy = bytes.slice()
    await extractText('x.pdf', bytes)
    expect(bytes.byteLength).toBe(copy.byteLength)
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true)
  })

  it('reads the paragraphs of a real DOCX', async () => {
    const bytes = await makeDocx({ title: 'A House Divided', paragraphs: ['A house divided against itself cannot stand.', 'I believe this government cannot endure.'] })
    const doc = await extractText('house.docx', bytes)
    expect(doc).toMatchObject({ title: 'house.docx', fileType: 'docx' })
    expect(doc.text).toContain('A house divided against itself cannot stand.')
    expect(doc.text).toContain('I believe this government cannot endure.')
  })

  it('rejects a damaged PDF and a damaged DOCX as UnreadableFileError naming the file', async () => {
    const pdf = await makePdf({ paragraphs: ['x'] })
    await expect(extractText('broken.pdf', pdf.slice(0, 40))).rejects.toThrow(/"broken\.pdf"/)
    await expect(extractText('broken.pdf', utf8('%PDF-1.7\ngarbage'))).rejects.toThrow(UnreadableFileError)
    const zipNotDocx = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8])
    await expect(extractText('broken.docx', zipNotDocx)).rejects.toThrow(UnreadableFileError)
    await expect(extractText('broken.docx', zipNotDocx)).rejects.toThrow(/"broken\.docx"/)
  })

  it('rejects a PDF with no text as EmptyFileError', async () => {
    await expect(extractText('blank.pdf', await makePdf({ paragraphs: [''] }))).rejects.toThrow(EmptyFileError)
  })

  it.each<[string, string]>([
    ['empty.txt', ''],
    ['blank.txt', ' \n\t\n '],
    ['blank.html', '<html><head><title>Only a title</title></head><body> </body></html>'],
    ['null.json', '{}'],
  ])('rejects %s without text as EmptyFileError naming it', async (name, content) => {
    await expect(extractText(name, utf8(content))).rejects.toThrow(EmptyFileError)
    await expect(extractText(name, utf8(content))).rejects.toThrow(name)
  })

  it('rejects a file over maxFileBytes before parsing it', async () => {
    const huge = new Uint8Array(2048).fill(0xff) // not even UTF-8: the size check comes first
    await expect(extractText('big.txt', huge, { maxFileBytes: 1024 })).rejects.toThrow(TooLargeError)
    await expect(extractText('big.txt', huge, { maxFileBytes: 1024 })).rejects.toThrow(/"big\.txt" is 2048 bytes; the limit is 1024/)
  })

  it('rejects text over maxTextChars, for text and PDF alike', async () => {
    await expect(extractText('long.txt', utf8('word '.repeat(100)), { maxTextChars: 50 })).rejects.toThrow(TooLargeError)
    const pdf = await makePdf({ paragraphs: ['a '.repeat(40), 'b '.repeat(40)] })
    await expect(extractText('long.pdf', pdf, { maxTextChars: 60 })).rejects.toThrow(TooLargeError)
  })

  it('rejects an unsupported type before anything else', async () => {
    await expect(extractText('x.exe', new Uint8Array(10_000_000))).rejects.toThrow(UnsupportedTypeError)
  })

  it('rejects invalid limits', async () => {
    await expect(extractText('a.txt', utf8('x'), { maxFileBytes: 0 })).rejects.toThrow(InvalidOptionsError)
  })
})
