/**
 * Bug: HTML and text files in Latin-1 / Windows-1252 (5 of 500 real HTML files
 * from Debian package documentation) were refused as "not valid UTF-8" although
 * they declare their charset. Decoded by the declared charset now; only what
 * cannot be decoded is refused. The files are built here byte by byte.
 */
import { describe, expect, it } from 'vitest'
import { UnreadableFileError } from '../../../src/core/errors.js'
import { declaredCharset } from '../../../src/core/ingest/charset.js'
import { extractText } from '../../../src/core/ingest/extract.js'
import { detectFileType } from '../../../src/core/ingest/file-type.js'

/** Windows-1252 bytes of a string (what an old editor saved): é is 0xE9, € is 0x80, ’ is 0x92. */
const cp1252 = (text: string): Uint8Array => {
  const special: Record<string, number> = { '€': 0x80, '’': 0x92, '“': 0x93, '”': 0x94, '—': 0x97 }
  return Uint8Array.from([...text].map((char) => special[char] ?? char.charCodeAt(0)))
}
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]))

const BODY = 'Café crème — l’été coûte 5 €'

describe('declared charsets', () => {
  it('reads Latin-1 HTML declared by <meta charset>', async () => {
    const html = cp1252(`<!DOCTYPE html><html><head><meta charset="ISO-8859-1"><title>Menu du café</title></head><body><p>${BODY}</p></body></html>`)
    expect(detectFileType('menu.html', html)).toBe('html')
    const doc = await extractText('menu.html', html)
    expect(doc.title).toBe('Menu du café')
    expect(doc.text).toContain(BODY)
  })

  it('reads Windows-1252 HTML declared by http-equiv Content-Type, as Debian documentation does', async () => {
    const html = cp1252(`<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1252"><TITLE>Manual</TITLE></HEAD><BODY>${BODY}</BODY></HTML>`)
    expect((await extractText('manual.htm', html)).text).toContain(BODY)
  })

  it('reads XHTML declared by its XML declaration', async () => {
    const html = cp1252(`<?xml version="1.0" encoding="iso-8859-1"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body><p>${BODY}</p></body></html>`)
    expect(declaredCharset(html, 'html')).toEqual({ label: 'iso-8859-1', by: 'its XML declaration' })
    expect((await extractText('page.xhtml.html', html)).text).toContain(BODY)
  })

  it('reads text with a UTF-16 byte order mark, and UTF-8 with its BOM dropped', async () => {
    const utf16 = concat(Uint8Array.from([0xff, 0xfe]), new Uint8Array(Buffer.from(`notes: ${BODY}`, 'utf16le')))
    expect((await extractText('notes.txt', utf16)).text).toBe(`notes: ${BODY}`)
    const utf8 = concat(Uint8Array.from([0xef, 0xbb, 0xbf]), new TextEncoder().encode(`# Titre\n\n${BODY}`))
    const doc = await extractText('notes.md', utf8)
    expect(doc.title).toBe('Titre')
    expect(doc.text.startsWith('# Titre')).toBe(true)
  })

  it('still refuses undeclared Latin-1, saying how to declare it', async () => {
    await expect(extractText('old.txt', cp1252(BODY))).rejects.toThrow(/"old\.txt".*not valid UTF-8 text; a file in another charset must declare it/)
    await expect(extractText('old.html', cp1252(`<p>${BODY}</p>`))).rejects.toBeInstanceOf(UnreadableFileError)
  })

  it('refuses what the declared charset cannot decode, and a charset nobody knows', async () => {
    // Declared UTF-8, but Latin-1 bytes.
    const lying = cp1252(`<meta charset="utf-8"><p>${BODY}</p>`)
    await expect(extractText('lying.html', lying)).rejects.toThrow(/not valid UTF-8 text \(declared by its <meta charset>\)/)
    const unknown = cp1252(`<meta charset="x-klingon"><p>${BODY}</p>`)
    await expect(extractText('alien.html', unknown)).rejects.toThrow(/declares the charset "x-klingon".*not one this server can decode/)
    // A UTF-16 BOM whose content is an odd number of bytes cannot be UTF-16.
    await expect(extractText('odd.txt', Uint8Array.from([0xff, 0xfe, 0x41, 0x00, 0x42]))).rejects.toBeInstanceOf(UnreadableFileError)
  })

  it('ignores a <meta charset> past the first 1,024 bytes, as browsers do', async () => {
    const late = cp1252(`<p>${'x'.repeat(1100)}</p><meta charset="iso-8859-1"><p>${BODY}</p>`)
    expect(declaredCharset(late, 'html')).toBeUndefined()
    await expect(extractText('late.html', late)).rejects.toBeInstanceOf(UnreadableFileError)
  })
})
