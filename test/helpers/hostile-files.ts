/**
 * Hostile uploads, generated at run time (never committed): the files issue 12
 * reproduced, at the sizes it names or scaled by a parameter.
 */
import * as zlib from 'node:zlib'

const { deflateRawSync, deflateSync } = zlib
// zlib.crc32 is Node ≥ 20.15; neither JSZip nor Bento checks it.
const crc32 = (data: Uint8Array): number => ('crc32' in zlib ? (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(data) : 0)

interface ZipEntry {
  name: string
  data: Uint8Array
}

/** A plain zip (deflated entries, no zip64) built by hand, so its parts can be anything. */
export const makeZip = (entries: ZipEntry[]): Uint8Array => {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8')
    const packed = deflateRawSync(data, { level: 9 })
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    locals.push(local, nameBytes, packed)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, nameBytes)
    offset += 30 + nameBytes.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...locals, directory, end]))
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

/** A DOCX whose `word/document.xml` holds `paragraphs` copies of `paragraph` (issue 12 item 1: `<w:p/>`). */
export const makeDocxOfParagraphs = (paragraphs: number, paragraph = '<w:p/>'): Uint8Array => {
  const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${paragraph.repeat(paragraphs)}</w:body></w:document>`)
  return makeZip([
    {
      name: '[Content_Types].xml',
      data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
    },
    { name: 'word/document.xml', data: body },
  ])
}

/**
 * A PDF of `pages` pages that all draw one shared content stream of `streamBytes`
 * bytes of whitespace (issue 12 item 2: 200 pages × 10 MiB in 41 KB).
 * `objectStream` packs the page dictionaries into a compressed object stream (as
 * PDF 1.5 writers do; only the content guard reads this variant), `contentsArray`
 * gives each page's content as an array.
 */
export const makeSharedStreamPdf = (pages: number, streamBytes: number, options: { objectStream?: boolean; contentsArray?: boolean } = {}): Uint8Array => {
  const parts: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  const offsets: number[] = []
  let length = parts[0]!.length
  const add = (chunk: Buffer) => {
    parts.push(chunk)
    length += chunk.length
  }
  const object = (number: number, body: Buffer | string) => {
    offsets[number] = length
    add(Buffer.from(`${number} 0 obj\n`))
    add(typeof body === 'string' ? Buffer.from(body) : body)
    add(Buffer.from('\nendobj\n'))
  }
  const stream = 3 + pages
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i} 0 R`).join(' ')
  const contents = options.contentsArray ? `[${stream} 0 R]` : `${stream} 0 R`
  const page = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> /Contents ${contents} >>`
  object(1, '<< /Type /Catalog /Pages 2 0 R >>')
  object(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`)
  if (options.objectStream) {
    let body = ''
    const header: string[] = []
    for (let i = 0; i < pages; i++) {
      header.push(`${3 + i} ${body.length}`)
      body += `${page}\n`
    }
    const head = `${header.join(' ')}\n`
    const packedPages = deflateSync(Buffer.from(head + body))
    object(stream + 1, Buffer.concat([Buffer.from(`<< /Type /ObjStm /N ${pages} /First ${head.length} /Length ${packedPages.length} /Filter /FlateDecode >>\nstream\n`), packedPages, Buffer.from('\nendstream')]))
  } else {
    for (let i = 0; i < pages; i++) object(3 + i, page)
  }
  const packed = deflateSync(Buffer.alloc(streamBytes, 0x20))
  object(stream, Buffer.concat([Buffer.from(`<< /Length ${packed.length} /Filter /FlateDecode >>\nstream\n`), packed, Buffer.from('\nendstream')]))
  const xrefAt = length
  const size = offsets.length
  const rows = Array.from({ length: size - 1 }, (_, i) => `${String(offsets[i + 1] ?? 0).padStart(10, '0')} 00000 ${offsets[i + 1] === undefined ? 'f' : 'n'} \n`).join('')
  add(Buffer.from(`xref\n0 ${size}\n0000000000 65535 f \n${rows}trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`))
  return new Uint8Array(Buffer.concat(parts))
}

/** JSON nested `levels` deep around `inner` (issue 12 items 2 and 7). */
export const makeDeepJson = (levels: number, inner = '0'): string => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`

/** HTML of `levels` nested `<div>` (issue 12 item 7: 300,000). */
export const makeDeepHtml = (levels: number): string => `<html><body>${'<div>'.repeat(levels)}deep${'</div>'.repeat(levels)}</body></html>`
