/**
 * The typed client's methods for the document API of issue 17, against a real
 * listening server on 127.0.0.1: one document and its file, pages, metadata and
 * filters, onConflict, several files in one upload, and bad input as typed errors.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { BentoClientError, createBentoClient } from '../../src/client/index.js'
import { createBentoServer, type BentoServer } from '../../src/server/index.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()
const running: BentoServer[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()))
})

const listen = async () => {
  const server = createBentoServer({ dataDir: await tempDir(), logger: false, isolation: 'custom', memory: { enabled: true } })
  running.push(server)
  return (await server.start({ port: 0 })).url
}

describe('bento-core/client: the document API', () => {
  it('uploads several files with metadata, replaces by source, reads one document and its original bytes', async () => {
    const bento = createBentoClient({ baseUrl: await listen(), isolationKey: 'user_1' })
    const first = await bento.upload([
      { name: 'refunds.md', data: '# Refunds\nRefunds within 30 days.' },
      { name: 'empty.txt', data: '' },
      { name: 'otters.md', data: '# Otters\nSea otters hold hands.' },
    ], { metadata: { team: 'billing', year: 2025 } })
    expect(first.results.map((r) => [r.file, r.outcome])).toEqual([['refunds.md', 'added'], ['empty.txt', 'skipped'], ['otters.md', 'added']])
    const skipped = first.results[1]!
    expect(skipped.outcome === 'skipped' && skipped.error.code).toBe('empty_file')

    const replaced = await bento.upload({ name: 'refunds.md', data: '# Refunds\nRefunds within 14 days.' })
    expect(replaced.outcome).toBe('replaced')
    await expect(bento.upload({ name: 'refunds.md', data: 'again' }, { onConflict: 'reject' })).rejects.toMatchObject({ status: 409, code: 'conflict' })
    const both = await bento.upload({ name: 'refunds.md', data: 'kept beside' }, { onConflict: 'keep-both' })
    expect(both.outcome).toBe('added')

    const detail = await bento.documents.get(replaced.documentId!)
    expect(detail).toMatchObject({ source: 'refunds.md', metadata: {}, file: { name: 'refunds.md', contentType: expect.stringContaining('text/markdown') } })
    const otters = first.results[2]!
    const otterDetail = await bento.documents.get(otters.documentId!)
    expect(otterDetail.metadata).toEqual({ team: 'billing', year: 2025 })
    const file = await bento.documents.file(otters.documentId!)
    expect(file.name).toBe('otters.md')
    expect(new TextDecoder().decode(file.bytes)).toBe('# Otters\nSea otters hold hands.')
    await expect(bento.documents.get('doc_missing')).rejects.toMatchObject({ status: 404, code: 'not_found' })

    const billing = await bento.search('otters refunds', 5, { filter: { metadata: { team: 'billing' } } })
    expect(billing.results.map((r) => r.id)).toEqual([otters.documentId])
    const byType = await bento.search('refunds', 5, { mode: 'lexical', filter: { source: { in: ['refunds.md'] } } })
    expect(byType.results.every((r) => r.title !== 'Otters')).toBe(true)
    const bad = await bento.search('x', 5, { filter: { colour: 'red' } as never }).catch((error: unknown) => error)
    expect(bad).toBeInstanceOf(BentoClientError)
    expect(bad).toMatchObject({ status: 400, code: 'invalid_input' })
    await expect(bento.upload({ name: 'a.md', data: 'a' }, { metadata: { source: 'x' } })).rejects.toMatchObject({ status: 400, code: 'invalid_input' })
    await expect(bento.upload({ name: 'a.md', data: 'a' }, { onConflict: 'merge' as never })).rejects.toMatchObject({ status: 400, code: 'invalid_input' })
  })

  it('pages documents, conversations, messages and memories, and follows cursors to the last page', async () => {
    const bento = createBentoClient({ baseUrl: await listen(), isolationKey: 'user_2' })
    await bento.upload(Array.from({ length: 5 }, (_, i) => ({ name: `n${i}.txt`, data: `note number ${i}` })))
    const first = await bento.documents.page({ limit: 2 })
    expect(first.documents).toHaveLength(2)
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await bento.documents.page({ limit: 2, cursor: first.nextCursor! })
    expect(second.documents.map((d) => d.id)).not.toContain(first.documents[0]!.id)
    const seen: string[] = []
    for await (const row of bento.documents.all({ limit: 2 })) seen.push(row.source)
    expect(seen.sort()).toEqual(['n0.txt', 'n1.txt', 'n2.txt', 'n3.txt', 'n4.txt'])
    expect((await bento.listDocuments()).length).toBe(5)
    await expect(bento.documents.page({ limit: 0 })).rejects.toMatchObject({ status: 400, code: 'invalid_input' })
    await expect(bento.documents.page({ cursor: 'forged' })).rejects.toMatchObject({ status: 400, code: 'invalid_input' })

    const sessions = [await bento.sessions.create(), await bento.sessions.create(), await bento.sessions.create()]
    const page = await bento.sessions.page({ limit: 2 })
    expect(page.sessions).toHaveLength(2)
    expect((await bento.sessions.list()).map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort())
    await bento.chat({ messages: [{ role: 'user', content: 'one' }], conversationId: sessions[0]!.id })
    await bento.chat({ messages: [{ role: 'user', content: 'two' }], conversationId: sessions[0]!.id })
    const messages = await bento.sessions.messages(sessions[0]!.id, { limit: 3 })
    expect(messages.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
    const rest = await bento.sessions.messages(sessions[0]!.id, { limit: 3, cursor: messages.nextCursor! })
    expect(rest).toMatchObject({ messages: [{ role: 'assistant' }], nextCursor: null })

    await bento.memories.add('I like Python')
    await bento.memories.add('I work at night')
    expect((await bento.memories.page({ limit: 1 })).memories).toHaveLength(1)
    expect((await bento.memories.list()).map((m) => m.content).sort()).toEqual(['I like Python', 'I work at night'])
  })
})
