import { describe, expect, it } from 'vitest'
import { detectFileType } from '../../../src/core/ingest/file-type.js'
import { EmptyFileError, UnreadableFileError, UnsupportedTypeError } from '../../../src/core/errors.js'
import { makeDocx, makePdf } from './make-files.js'

const utf8 = (text: string) => new TextEncoder().encode(text)
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52])

describe('detectFileType', () => {
  it.each<[string, string]>([
    ['a.txt', 'txt'],
    ['a.TEXT', 'txt'],
    ['a.md', 'md'],
    ['README.Markdown', 'md'],
    ['a.html', 'html'],
    ['a.HTM', 'html'],
    ['a.json', 'json'],
  ])('types %s by extension when its content is UTF-8 text', (name, type) => {
    expect(detectFileType(name, utf8('héllo {}'))).toBe(type)
  })

  it('accepts real PDF and DOCX files', async () => {
    expect(detectFileType('x.pdf', await makePdf({ paragraphs: ['hi'] }))).toBe('pdf')
    expect(detectFileType('x.DOCX', await makeDocx({ paragraphs: ['hi'] }))).toBe('docx')
  })

  it.each(['image.png', 'archive.tar.gz', 'Makefile', 'notes.doc', 'x.pdf.exe'])('rejects the unsupported %s', (name) => {
    expect(() => detectFileType(name, utf8('text'))).toThrow(UnsupportedTypeError)
  })

  it('rejects a PNG renamed .pdf, naming the file', () => {
    expect(() => detectFileType('scan.pdf', PNG)).toThrow(UnreadableFileError)
    expect(() => detectFileType('scan.pdf', PNG)).toThrow(/"scan\.pdf".*not a PDF/)
  })

  it('rejects a text file renamed .docx, and a PDF renamed .docx', () => {
    expect(() => detectFileType('memo.docx', utf8('plain text'))).toThrow(/"memo\.docx".*not a DOCX/)
    expect(() => detectFileType('memo.docx', utf8('%PDF-1.7'))).toThrow(UnreadableFileError)
  })

  it('rejects a binary renamed .txt or .md (invalid UTF-8 or NUL bytes)', async () => {
    expect(() => detectFileType('photo.txt', PNG)).toThrow(/"photo\.txt".*not valid UTF-8/)
    const pdf = await makePdf({ paragraphs: ['x'] })
    expect(() => detectFileType('doc.md', pdf)).toThrow(UnreadableFileError)
    expect(() => detectFileType('nul.txt', utf8('a\u0000b'))).toThrow(/NUL/)
  })

  it.each<[string, number[]]>([
    ['a lone continuation byte', [0x61, 0x80, 0x62]],
    ['a truncated sequence', [0x61, 0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('rejects invalid UTF-8: %s', (_name, bytes) => {
    expect(() => detectFileType('a.txt', Uint8Array.from(bytes))).toThrow(UnreadableFileError)
  })

  it('rejects an empty file as EmptyFileError naming it', () => {
    expect(() => detectFileType('empty.md', new Uint8Array())).toThrow(EmptyFileError)
    expect(() => detectFileType('empty.md', new Uint8Array())).toThrow(/"empty\.md"/)
  })
})
