/** Real PDF and DOCX files, generated at run time (no binary fixtures in the repo). */
import { Document, HeadingLevel, Packer, Paragraph } from 'docx'
import { PDFDocument, StandardFonts } from 'pdf-lib'

export interface MakeFileOptions {
  title?: string
  /** One entry per page (PDF) or per paragraph (DOCX); PDF pages wrap long lines. */
  paragraphs: string[]
}

const wrap = (text: string, width: number): string[] => {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}

export const makePdf = async ({ title, paragraphs }: MakeFileOptions): Promise<Uint8Array> => {
  const pdf = await PDFDocument.create()
  if (title) pdf.setTitle(title)
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  for (const paragraph of paragraphs) {
    const page = pdf.addPage([612, 792])
    wrap(paragraph, 90).forEach((line, i) => page.drawText(line, { x: 40, y: 750 - i * 14, size: 10, font }))
  }
  return pdf.save()
}

export const makeDocx = async ({ title, paragraphs }: MakeFileOptions): Promise<Uint8Array> => {
  const children = [
    ...(title ? [new Paragraph({ text: title, heading: HeadingLevel.HEADING_1 })] : []),
    ...paragraphs.map((text) => new Paragraph({ text })),
  ]
  const document = new Document({ ...(title ? { title } : {}), sections: [{ children }] })
  return new Uint8Array(await Packer.toBuffer(document))
}
