import { once } from 'node:events'
import type { Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'
import { mayChangeSession, RESET_SESSION_SQL, sqlOfMessage } from './pglite-session-state.js'
import type { EngineTurns } from './pglite-turns.js'
import { SYNC_MESSAGE, TERMINATE, WireProtocolError, cutClientMessage, endsBatch, fatalError, queryMessage, readyStatusAtEnd, type ClientMessage } from './pglite-wire.js'

/**
 * One client connection on the shared PGlite session. Its messages are cut into
 * batches that end where the client waits for an answer (Sync, a simple Query,
 * Flush…), and each batch runs whole in the connection's turn, so no other
 * connection's Parse can replace the unnamed statement between this one's Parse
 * and Bind (electric-sql/pglite issue 1046: 08P01 errors, or another statement's
 * rows). The turn is kept while the session is not idle afterwards (an open
 * transaction, a Flush before Sync, a COPY) and given back when it is; a client
 * that goes away while keeping it is rolled back first. A connection taking the
 * session after one whose SQL may have changed session state (SET, temporary
 * tables, session advisory locks…) first resets it (pglite-session-state.ts).
 */
export class PgliteConnection {
  /** Resolves once the connection is closed and has given its turn back. */
  readonly finished: Promise<void>
  private readonly input = new ChunkQueue()
  private started = false
  private pending: Buffer[] = []
  private pendingChangesSession = false
  private readonly batches: Array<{ bytes: Buffer; changesSession: boolean }> = []
  private terminating = false
  private hasTurn = false
  /** The session is not idle: a transaction, a Flush or a COPY of this connection is open. */
  private open = false
  private running: Promise<void> | undefined
  private closed = false
  private markFinished!: () => void
  private readonly closing: Promise<void>
  private markClosing!: () => void

  constructor(
    private readonly socket: Socket,
    private readonly db: PGlite,
    private readonly turns: EngineTurns,
  ) {
    this.finished = new Promise((resolve) => (this.markFinished = resolve))
    this.closing = new Promise((resolve) => (this.markClosing = resolve))
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('end', () => void this.close())
    socket.on('close', () => void this.close())
    socket.on('error', () => void this.close())
  }

  /** Ends the connection (after sending `last`): queued batches are dropped, an open transaction is rolled back. */
  close(last?: Buffer): Promise<void> {
    if (this.closed) return this.finished
    this.closed = true
    this.markClosing()
    if (last) this.socket.end(last)
    else this.socket.destroy()
    void (async () => {
      await this.running
      if (this.hasTurn) {
        if (this.open) await this.rollBack().catch(() => undefined)
        this.hasTurn = false
        this.turns.give()
      }
      this.markFinished()
    })()
    return this.finished
  }

  private receive(chunk: Buffer): void {
    if (this.closed || this.terminating) return
    this.input.push(chunk)
    try {
      for (;;) {
        const cut = this.input.take(this.started)
        if (!cut) break
        this.accept(cut.message)
        if (this.closed || this.terminating) break
      }
    } catch (error) {
      if (!(error instanceof WireProtocolError)) throw error
      void this.close(fatalError('08P01', error.message))
      return
    }
    // A client writing batches faster than they run waits, rather than growing the queue.
    if (this.batches.length > 1) this.socket.pause()
    this.pump()
  }

  private accept(message: ClientMessage): void {
    switch (message.kind) {
      case 'encryption-request':
        this.socket.write('N')
        return
      case 'cancel-request':
        void this.close()
        return
      case 'startup':
        this.started = true
        this.batches.push({ bytes: message.bytes, changesSession: false })
        return
      case 'typed':
        if (message.type === TERMINATE) {
          this.terminating = true
          this.pending = []
          return
        }
        this.pending.push(message.bytes)
        if (!this.pendingChangesSession) {
          const sql = sqlOfMessage(message.type, message.bytes)
          this.pendingChangesSession = sql !== undefined && mayChangeSession(sql)
        }
        if (endsBatch(message.type)) {
          this.batches.push({ bytes: this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending), changesSession: this.pendingChangesSession })
          this.pending = []
          this.pendingChangesSession = false
        }
    }
  }

  private pump(): void {
    if (this.running || this.closed) return
    this.running = this.runBatches()
      .catch(() => void this.close())
      .finally(() => {
        this.running = undefined
        if (this.terminating && this.batches.length === 0) void this.close()
        else if (this.batches.length > 0) this.pump()
      })
  }

  private async runBatches(): Promise<void> {
    while (this.batches.length > 0 && !this.closed) {
      const batch = this.batches.shift()!
      if (this.batches.length === 0 && !this.terminating) this.socket.resume()
      if (!this.hasTurn) {
        await this.turns.take()
        this.hasTurn = true
        if (this.closed) return
        if (this.turns.sessionChangedBy !== undefined && this.turns.sessionChangedBy !== this) await this.resetSession()
      }
      if (batch.changesSession) this.turns.sessionChangedBy = this
      const output = await this.execute(batch.bytes)
      const status = readyStatusAtEnd(output)
      this.open = status !== 'I'
      if (!this.open) {
        this.hasTurn = false
        this.turns.give()
      }
      if (output.length > 0 && !this.socket.write(output) && !this.closed) {
        await Promise.race([once(this.socket, 'drain'), this.closing])
      }
    }
  }

  private async execute(batch: Buffer): Promise<Buffer> {
    const chunks: Buffer[] = []
    await this.db.runExclusive(() => this.db.execProtocolRawStream(batch, { onRawData: (data) => chunks.push(Buffer.from(data)) }))
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  }

  /** Clears what the connection that changed session state left (its answers go nowhere). */
  private async resetSession(): Promise<void> {
    await this.execute(queryMessage(RESET_SESSION_SQL))
    this.turns.sessionChangedBy = undefined
  }

  /**
   * Leaves the session idle after a client that went away mid-transaction: ROLLBACK
   * ends a transaction block or an extended-protocol batch cut off before its Sync;
   * the Sync ends an errored batch's skipping (which ignores the ROLLBACK).
   */
  private async rollBack(): Promise<void> {
    await this.execute(Buffer.concat([queryMessage('ROLLBACK'), SYNC_MESSAGE]))
    if (this.db.isInTransaction()) await this.execute(queryMessage('ROLLBACK'))
    this.open = false
  }
}

/** Received bytes, joined only once a whole message is there (an upload's Bind comes in many chunks). */
class ChunkQueue {
  private chunks: Buffer[] = []
  private size = 0
  private needed = 1

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
  }

  take(started: boolean): { message: ClientMessage; rest: Buffer } | undefined {
    if (this.size < this.needed) return undefined
    const buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)
    const cut = cutClientMessage(buffer, started)
    if ('needed' in cut) {
      this.chunks = [buffer]
      this.needed = cut.needed
      return undefined
    }
    this.chunks = cut.rest.length > 0 ? [cut.rest] : []
    this.size = cut.rest.length
    this.needed = 1
    return cut
  }
}
