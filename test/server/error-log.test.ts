/**
 * Attack: a 5xx that leaves no trace, or a trace that shows a key. An EIO
 * during an upload and a TypeError thrown by the operator's own auth middleware
 * (the seed's multi-tenant example when getUser returns nothing) must each give
 * exactly one error-level line with message, code, cause chain and stack, and
 * no isolation key, session id or access key in clear anywhere in the log.
 */
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { errnoError, setFaultInjector } from '../../src/core/faults.js'
import { uploadForm, useServers } from './helpers.js'

const makeServer = useServers()

const captureLogger = () => {
  const lines: string[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown> & { level: number; err?: Record<string, unknown> })
  return { logger, lines, records }
}

const KEY = 'tenant_acme:alice-7f3a'
const ACCESS_KEY = 'fmc_client_secret_0123456789'

afterEach(() => setFaultInjector(undefined))

describe('5xx logging', () => {
  it('an EIO during an upload: one error line with code, cause chain and stack; no key in clear', async () => {
    const { logger, lines, records } = captureLogger()
    const server = await makeServer({ isolation: 'custom', logger, accessKeys: { client: [ACCESS_KEY] } })
    const dataDir = server.config.dataDir
    setFaultInjector((op, target) => (op === 'writeFile' || op === 'mkdir') && target.startsWith(dataDir) && target.includes('tenant_acme') ? errnoError('EIO', op, target) : undefined)
    const response = await server.getApp().request('/api/documents/upload', {
      method: 'POST',
      headers: { 'x-isolation-key': KEY, 'x-bento-client-key': ACCESS_KEY },
      body: uploadForm('a.txt', 'some text'),
    })
    setFaultInjector(undefined)
    expect(response.status).toBe(500)

    const errors = records().filter((record) => record.level >= 50)
    expect(errors).toHaveLength(1)
    const [line] = errors
    expect(line).toMatchObject({ status: 500, code: 'io_error', route: '/api/documents/upload', method: 'POST' })
    expect(line!.err).toMatchObject({ code: 'io_error', type: 'IoError' })
    expect(String(line!.err!.message)).toMatch(/EIO/)
    // The cause chain: the errno error under Bento's, in the stack too.
    expect(String(line!.err!.message)).toMatch(/injected fault/)
    expect(String(line!.err!.stack)).toMatch(/caused by: Error: EIO/)
    expect(String(line!.err!.stack)).toMatch(/\n\s+at /)
    // The errno path names the scope's directory: scrubbed, with the rest of the path kept.
    expect(String(line!.err!.message)).toMatch(/isolated[/\\]\[redacted\]/)
    const all = lines.join('\n')
    for (const secret of [KEY, 'tenant_acme~calice-7f3a', ACCESS_KEY]) expect(all).not.toContain(secret)
  })

  it("a TypeError in the operator's auth middleware (getUser returns nothing): one error line, no key in clear", async () => {
    const { logger, lines, records } = captureLogger()
    const server = await makeServer({ isolation: 'custom', logger })
    const getUser = async (_c: unknown): Promise<{ organizationId: string }> => undefined as unknown as { organizationId: string }
    server.getApp().use('*', async (c, next) => {
      const user = await getUser(c)
      c.set('isolationKey', user.organizationId)
      await next()
    })
    const response = await server.getApp().request('/api/documents/list', { headers: { authorization: 'Bearer tok_secret_abcdef', 'x-isolation-key': KEY } })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'The server failed to complete the request.' } })

    const errors = records().filter((record) => record.level >= 50)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ status: 500, code: 'internal', method: 'GET' })
    expect(errors[0]!.err).toMatchObject({ type: 'TypeError' })
    expect(String(errors[0]!.err!.message)).toMatch(/organizationId/)
    expect(String(errors[0]!.err!.stack)).toMatch(/TypeError[^\n]*\n\s+at /)
    const all = lines.join('\n')
    for (const secret of [KEY, 'tok_secret_abcdef']) expect(all).not.toContain(secret)
  })

  it("a key in an error's message or in fields a logger is handed is never written in clear", async () => {
    const { logger, lines } = captureLogger()
    const server = await makeServer({ isolation: 'custom', logger })
    server.getApp().use('/boom', async (c) => {
      c.set('isolationKey', KEY)
      throw new Error(`no plan for ${KEY} in session 0123456789abcdef0123456789abcdef`)
    })
    const response = await server.getApp().request('/boom', { headers: { 'x-session-id': '0123456789abcdef0123456789abcdef' } })
    expect(response.status).toBe(500)
    // The same redaction applies to whatever else goes through the server's logger.
    const { redactingLogger } = await import('../../src/server/log.js')
    redactingLogger(logger).warn({ isolationKey: KEY, req: { headers: { 'x-isolation-key': KEY, authorization: `Bearer ${ACCESS_KEY}` } } }, 'operator line')
    const all = lines.join('\n')
    expect(all).toContain('[redacted]')
    for (const secret of [KEY, ACCESS_KEY, '0123456789abcdef0123456789abcdef']) expect(all).not.toContain(secret)
  })
})
