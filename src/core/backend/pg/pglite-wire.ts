/**
 * The few facts of the PostgreSQL wire protocol (version 3) that serving one
 * PGlite to many connections needs: where a client's message ends, which
 * messages the client waits on, and the transaction status a batch ended in.
 */

/** Protocol 3.0, the version field of a StartupMessage. */
const PROTOCOL_3 = 196608
const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const CANCEL_REQUEST = 80877102
/** PostgreSQL's own limit on one message (MaxAllocSize). */
const MAX_MESSAGE_BYTES = 0x3fffffff

export type ClientMessage =
  /** SSLRequest or GSSENCRequest: answered 'N' (plain connection). */
  | { readonly kind: 'encryption-request' }
  /** CancelRequest: PGlite has no backend process to interrupt; the connection is closed. */
  | { readonly kind: 'cancel-request' }
  | { readonly kind: 'startup'; readonly bytes: Buffer }
  | { readonly kind: 'typed'; readonly type: string; readonly bytes: Buffer }

export class WireProtocolError extends Error {}

/**
 * Cuts the first whole message off `buffer`, or says how many bytes it needs
 * first. Before the startup message the client's packets have no type byte.
 */
export const cutClientMessage = (buffer: Buffer, started: boolean): { message: ClientMessage; rest: Buffer } | { needed: number } => {
  const headerBytes = started ? 5 : 8
  if (buffer.length < headerBytes) return { needed: headerBytes }
  const length = started ? buffer.readInt32BE(1) : buffer.readInt32BE(0)
  if (length < 4 || length > MAX_MESSAGE_BYTES) throw new WireProtocolError(`invalid message length ${length}`)
  const total = started ? 1 + length : length
  if (buffer.length < total) return { needed: total }
  const bytes = buffer.subarray(0, total)
  const rest = buffer.subarray(total)
  if (started) return { message: { kind: 'typed', type: String.fromCharCode(bytes[0]!), bytes }, rest }
  const code = buffer.readInt32BE(4)
  if (code === SSL_REQUEST || code === GSSENC_REQUEST) return { message: { kind: 'encryption-request' }, rest }
  if (code === CANCEL_REQUEST) return { message: { kind: 'cancel-request' }, rest }
  if (code !== PROTOCOL_3) throw new WireProtocolError(`unsupported protocol version ${code}`)
  return { message: { kind: 'startup', bytes }, rest }
}

/**
 * Messages after which the client waits for an answer: Sync, Query, Flush,
 * FunctionCall, CopyDone, CopyFail. A batch of a connection's messages ends
 * with one of them; Parse, Bind, Describe, Execute, Close and CopyData get no
 * answer before it, so a batch never waits on its client halfway.
 */
export const endsBatch = (type: string): boolean => 'SQHFcf'.includes(type)

export const TERMINATE = 'X'

/** The status byte of the batch's last message when it is ReadyForQuery ('I' idle, 'T' in a transaction, 'E' failed one), else undefined. */
export const readyStatusAtEnd = (output: Buffer): string | undefined => {
  let offset = 0
  let last = -1
  while (offset + 5 <= output.length) {
    last = offset
    offset += 1 + output.readInt32BE(offset + 1)
  }
  if (last < 0 || offset !== output.length || output[last] !== 0x5a || output.readInt32BE(last + 1) !== 5) return undefined
  return String.fromCharCode(output[last + 5]!)
}

/** A simple Query message. */
export const queryMessage = (sql: string): Buffer => {
  const text = Buffer.from(`${sql}\0`, 'utf8')
  const header = Buffer.alloc(5)
  header.write('Q', 0, 'latin1')
  header.writeInt32BE(4 + text.length, 1)
  return Buffer.concat([header, text])
}

export const SYNC_MESSAGE = Buffer.from([0x53, 0, 0, 0, 4])

/** A FATAL ErrorResponse, the last thing sent before closing a connection. */
export const fatalError = (sqlstate: string, message: string): Buffer => {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${sqlstate}\0M${message}\0\0`, 'utf8')
  const header = Buffer.alloc(5)
  header.write('E', 0, 'latin1')
  header.writeInt32BE(4 + fields.length, 1)
  return Buffer.concat([header, fields])
}
