import { once } from 'node:events'
import net from 'node:net'

/**
 * A PostgreSQL client that writes the wire protocol by hand, so a test can send
 * a connection's messages in pieces (half a Bind, a batch without its Sync) —
 * what the `pg` client does only by chance under load.
 */
export interface WireAnswer {
  /** Text values of every DataRow, in order. */
  readonly rows: string[][]
  /** SQLSTATE codes of every ErrorResponse. */
  readonly errors: string[]
  /** The ReadyForQuery status, when the answer ended with one. */
  readonly status?: string
}

const message = (type: string, body: Buffer): Buffer => {
  const header = Buffer.alloc(5)
  header.write(type, 0, 'latin1')
  header.writeInt32BE(4 + body.length, 1)
  return Buffer.concat([header, body])
}
const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8')
const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff])
const int32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

export const wire = {
  query: (sql: string) => message('Q', cstring(sql)),
  parse: (sql: string) => message('P', Buffer.concat([cstring(''), cstring(sql), int16(0)])),
  bind: (values: string[]) =>
    message(
      'B',
      Buffer.concat([cstring(''), cstring(''), int16(0), int16(values.length), ...values.flatMap((v) => [int32(Buffer.byteLength(v)), Buffer.from(v)]), int16(0)]),
    ),
  execute: () => message('E', Buffer.concat([cstring(''), int32(0)])),
  flush: () => message('H', Buffer.alloc(0)),
  sync: () => message('S', Buffer.alloc(0)),
  terminate: () => message('X', Buffer.alloc(0)),
}

export class WireClient {
  private buffered = Buffer.alloc(0)

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      socket.emit('buffered')
    })
  }

  /** Connects to `host:port` as postgres and waits for the first ReadyForQuery. */
  static async connect(url: string): Promise<WireClient> {
    const { hostname, port } = new URL(url)
    const socket = net.connect(Number(port), hostname)
    await once(socket, 'connect')
    const client = new WireClient(socket)
    const params = Buffer.concat([cstring('user'), cstring('postgres'), cstring('database'), cstring('postgres'), Buffer.from([0])])
    socket.write(Buffer.concat([int32(8 + params.length), int32(196608), params]))
    await client.answer()
    return client
  }

  send(...parts: Buffer[]): void {
    this.socket.write(Buffer.concat(parts))
  }

  /** Reads messages up to ReadyForQuery, or up to `until` (a message type) when given. */
  async answer(until = 'Z'): Promise<WireAnswer> {
    const rows: string[][] = []
    const errors: string[] = []
    for (;;) {
      while (this.buffered.length < 5 || this.buffered.length < 1 + this.buffered.readInt32BE(1)) {
        await this.more()
      }
      const type = String.fromCharCode(this.buffered[0]!)
      const length = this.buffered.readInt32BE(1)
      const body = this.buffered.subarray(5, 1 + length)
      this.buffered = this.buffered.subarray(1 + length)
      if (type === 'D') rows.push(dataRow(body))
      if (type === 'E') errors.push(errorCode(body))
      if (type === 'Z') return { rows, errors, status: String.fromCharCode(body[0]!) }
      if (type === until) return { rows, errors }
    }
  }

  private more(): Promise<void> {
    if (this.socket.destroyed) return Promise.reject(new Error('connection closed'))
    return new Promise((resolve, reject) => {
      const onData = () => {
        this.socket.off('close', onClose)
        resolve()
      }
      const onClose = () => {
        this.socket.off('buffered', onData)
        reject(new Error('connection closed'))
      }
      this.socket.once('buffered', onData)
      this.socket.once('close', onClose)
    })
  }

  close(): void {
    this.socket.destroy()
  }
}

const dataRow = (body: Buffer): string[] => {
  const values: string[] = []
  let offset = 2
  for (let i = 0; i < body.readInt16BE(0); i++) {
    const length = body.readInt32BE(offset)
    offset += 4
    values.push(length < 0 ? '' : body.toString('utf8', offset, offset + length))
    offset += Math.max(0, length)
  }
  return values
}

const errorCode = (body: Buffer): string => {
  for (let offset = 0; offset < body.length && body[offset] !== 0; ) {
    const end = body.indexOf(0, offset + 1)
    if (body[offset] === 0x43) return body.toString('utf8', offset + 1, end)
    offset = end + 1
  }
  return ''
}
