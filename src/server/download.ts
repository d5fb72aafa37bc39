/**
 * Headers for serving an original upload: its content type from its (already
 * validated) extension, and a `Content-Disposition` that no file name can break
 * out of. Threat: a name with quotes, CR/LF or non-ASCII characters injecting a
 * header or a second parameter; test/server/document-read.test.ts.
 */
import path from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.text': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.markdown': 'text/markdown; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
}

export const contentTypeOf = (fileName: string): string => CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream'

// RFC 5987 attr-char: what may stand unescaped in `filename*`.
const encodeRfc5987 = (value: string): string =>
  encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)

/** `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<the exact name>` (RFC 6266). */
export const contentDisposition = (fileName: string): string => {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_')
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(fileName)}`
}
