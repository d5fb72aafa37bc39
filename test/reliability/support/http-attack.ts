/**
 * Turning hostile strings into HTTP requests exactly as a hostile client would
 * send them: raw bytes in paths, headers, cookies and multipart file names.
 */
import net from 'node:net'

/** Percent-encodes every byte of the UTF-8 form except unreserved ASCII (never throws on lone surrogates). */
export const encodeBytes = (value: string): string =>
  [...Buffer.from(value, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('')

/**
 * The header value a Node server hands the app for these raw bytes: its HTTP
 * parser reads header bytes as latin1. Undefined for values the parser refuses
 * outright (NUL, CR, LF), which `sendRaw` sends over a socket instead.
 */
export const asHeaderValue = (value: string): string | undefined => {
  if (/[\0\r\n]/.test(value)) return undefined
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

const BOUNDARY = '----bento-attack-boundary'

/** A multipart body whose file name is written raw (UTF-8 bytes, no escaping), as curl or a script could. */
export const multipartUpload = (fileName: string, content: string | Uint8Array, contentType = 'text/plain'): { body: Uint8Array; type: string } => {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`, 'utf8')
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`, 'utf8')
  return { body: Buffer.concat([head, Buffer.from(content), tail]), type: `multipart/form-data; boundary=${BOUNDARY}` }
}

export interface RawResponse {
  status: number
  head: string
  body: string
}

/** Sends raw bytes to host:port and reads the whole answer (the server closes; `Connection: close`). */
export const sendRaw = (port: number, request: Buffer, timeoutMs = 10_000): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    const timer = setTimeout(() => socket.destroy(new Error('raw request timed out')), timeoutMs)
    socket.on('data', (chunk) => chunks.push(chunk))
    // A server may answer (413) and close while the body is still being written: EPIPE or a reset
    // then comes before or after its answer, so the answer is read when the socket closes.
    let failure: Error | undefined
    let done = false
    socket.on('error', (error) => {
      failure = error
    })
    socket.on('close', () => {
      clearTimeout(timer)
      if (chunks.length > 0) finish()
      else if (!done) reject(failure ?? new Error('closed without an answer'))
    })
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('latin1')
      const [head = '', body = ''] = text.split('\r\n\r\n', 2)
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body })
      socket.destroy()
    }
    // Send the head first and give the server a moment to answer from it alone (a Content-Length
    // over the limit is refused before any body byte is read), as a client using
    // `Expect: 100-continue` would; writing the body into a closing socket makes the kernel reset
    // the connection, and a reset can discard the answer the server already sent (EPIPE, no answer).
    const split = request.indexOf('\r\n\r\n')
    const head = split < 0 ? request : request.subarray(0, split + 4)
    const body = split < 0 ? Buffer.alloc(0) : request.subarray(split + 4)
    socket.write(head)
    if (body.length > 0) {
      setTimeout(() => {
        if (chunks.length === 0 && !socket.destroyed) socket.write(body)
      }, 100)
    }
  })
