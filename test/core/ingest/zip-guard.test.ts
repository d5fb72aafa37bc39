/**
 * DOCX zip bombs and oversized PDFs are refused before their parser inflates or
 * walks them. The zips are written byte by byte here (or patched from a real
 * DOCX the `docx` package makes), so their declared sizes can lie.
 */
import { deflateRawSync } from 'node:zlib'
import { PDFDocument } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { TooLargeError, UnreadableFileError } from '../../../src/core/errors.js'
import { extractText } from '../../../src/core/ingest/extract.js'
import { MAX_PDF_PAGES } from '../../../src/core/ingest/limits.js'
import { assertZipInflatesWithin } from '../../../src/core/ingest/zip-guard.js'
import { makeDocx } from './make-files.js'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (data: Uint8Array): number => {
  let c = 0xffffffff
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

interface ZipInput {
  name: string
  content: Uint8Array
  /** The uncompressed size written in the headers; default the true one. */
  declaredSize?: number
}

/** A deflated zip, as a DOCX is: local headers and data, central directory, end record. */
const writeZip = (inputs: ZipInput[]): Uint8Array => {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const input of inputs) {
    const name = Buffer.from(input.name)
    const data = deflateRawSync(input.content)
    const size = input.declaredSize ?? input.content.length
    const crc = crc32(input.content)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, data)
    centrals.push(central, name)
    offset += local.length + name.length + data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(inputs.length, 8)
  end.writeUInt16LE(inputs.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...locals, directory, end]))
}

const documentXml = (text: string) =>
  new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`)

/** Sets the declared uncompressed size of every central directory entry of a real zip. */
const patchDeclaredSizes = (zip: Uint8Array, size: number): Uint8Array => {
  const bytes = Buffer.from(zip)
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  let at = bytes.readUInt32LE(end + 16)
  for (let i = 0; i < bytes.readUInt16LE(end + 10); i++) {
    bytes.writeUInt32LE(size, at + 24)
    at += 46 + bytes.readUInt16LE(at + 28) + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32)
  }
  return new Uint8Array(bytes)
}

describe('DOCX zip bombs', () => {
  it('refuses a real DOCX whose central directory declares gigabytes, before mammoth inflates it', async () => {
    const docx = await makeDocx({ paragraphs: ['An ordinary paragraph.'] })
    expect((await extractText('ok.docx', docx)).text).toContain('An ordinary paragraph.')
    const bomb = patchDeclaredSizes(docx, 0xfffffff0)
    await expect(extractText('bomb.docx', bomb)).rejects.toThrow(TooLargeError)
    await expect(extractText('bomb.docx', bomb)).rejects.toThrow(/"bomb\.docx" would inflate to more than 83886080 bytes/)
  })

  it('caps the inflated total at 8x the file-size limit', async () => {
    const zip = writeZip([{ name: 'word/document.xml', content: documentXml('word '.repeat(120_000)) }])
    expect(zip.length).toBeLessThan(4096) // deflate turns 600 KB of repeated words into a few hundred bytes
    await expect(extractText('dense.docx', zip, { maxFileBytes: 64 * 1024 })).rejects.toThrow(/would inflate to more than 524288 bytes/)
    // Within the cap the same archive reaches mammoth and is read.
    const read = await extractText('dense.docx', zip, { maxFileBytes: 1024 * 1024 })
    expect(read.text.startsWith('word word')).toBe(true)
  })

  it('refuses an entry that inflates past the size it declares (a bomb that lies in its headers)', () => {
    const liar = writeZip([{ name: 'word/document.xml', content: documentXml('x'.repeat(2_000_000)), declaredSize: 1000 }])
    expect(() => assertZipInflatesWithin('liar.docx', liar, 10_000_000)).toThrow(TooLargeError)
    const honest = writeZip([{ name: 'word/document.xml', content: documentXml('x'.repeat(2_000_000)) }])
    expect(() => assertZipInflatesWithin('honest.docx', honest, 10_000_000)).not.toThrow()
  })

  it('calls a zip without a readable central directory unreadable', () => {
    const zip = writeZip([{ name: 'a.xml', content: documentXml('a') }])
    expect(() => assertZipInflatesWithin('cut.docx', zip.slice(0, zip.length - 30), 1e6)).toThrow(UnreadableFileError)
    expect(() => assertZipInflatesWithin('tiny.docx', new Uint8Array([0x50, 0x4b, 0x03, 0x04]), 1e6)).toThrow(UnreadableFileError)
  })
})

describe('PDF page cap', () => {
  it(`refuses a PDF of more than ${MAX_PDF_PAGES} pages before reading any page`, async () => {
    const pdf = await PDFDocument.create()
    for (let i = 0; i <= MAX_PDF_PAGES; i++) pdf.addPage([72, 72])
    const bytes = await pdf.save()
    await expect(extractText('pages.pdf', bytes)).rejects.toThrow(TooLargeError)
    await expect(extractText('pages.pdf', bytes)).rejects.toThrow(`"pages.pdf" has ${MAX_PDF_PAGES + 1} pages; the limit is ${MAX_PDF_PAGES}.`)
  })
})
