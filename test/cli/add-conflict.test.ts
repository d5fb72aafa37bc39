/**
 * `bento add --on-conflict` and `--metadata`: an edited notes.md replaces the
 * stored one by default, keep-both and reject do what they say, and bad metadata
 * is a usage error that adds nothing. The program runs in-process (`runInProcess`);
 * read-commands.test.ts runs add, ls and search as the real binary.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runInProcess } from './support/bento.js'

let tmp: string
beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
})
afterAll(async () => removeDir(tmp))

interface AddJson {
  documents: Array<{ id: string; outcome: string; replaced: string[] }>
  skipped: Array<{ source: string; reason: string }>
}

const add = async (dataDir: string, args: string[]) => {
  const run = await runInProcess(['add', 'user-1', ...args, '--json', '--data-dir', dataDir])
  assertNoStack(run.stderr)
  return { code: run.code, stderr: run.stderr, result: run.code === 0 ? (JSON.parse(run.stdout) as AddJson) : undefined }
}

describe('bento add --on-conflict', () => {
  it('replaces an edited file by default, keeps both or rejects when told, and lists what it did', async () => {
    const dataDir = path.join(tmp, 'conflict')
    const notes = path.join(tmp, 'notes.md')
    await fsp.writeFile(notes, 'Refunds within 30 days.')
    const first = await add(dataDir, [notes])
    await fsp.writeFile(notes, 'Refunds within 14 days.')
    const second = await add(dataDir, [notes])
    expect(second.result!.documents).toEqual([expect.objectContaining({ outcome: 'replaced', replaced: [first.result!.documents[0]!.id] })])

    await fsp.writeFile(notes, 'Refunds within 7 days.')
    const rejected = await add(dataDir, [notes, '--on-conflict', 'reject'])
    expect(rejected.code).toBe(0)
    expect(rejected.result!.documents).toEqual([])
    expect(rejected.result!.skipped).toEqual([{ source: notes, reason: expect.stringContaining('already exists') }])

    const kept = await add(dataDir, [notes, '--on-conflict', 'keep-both'])
    expect(kept.result!.documents).toEqual([expect.objectContaining({ outcome: 'added', replaced: [] })])
    const search = await runInProcess(['search', 'user-1', 'refunds days', '--json', '--data-dir', dataDir])
    const contents = (JSON.parse(search.stdout) as { results: Array<{ content: string }> }).results.map((hit) => hit.content).sort()
    expect(contents).toEqual(['Refunds within 14 days.', 'Refunds within 7 days.'])
  })

  it('refuses an unknown policy and invalid metadata (exit 2) and adds nothing', async () => {
    const dataDir = path.join(tmp, 'bad')
    const notes = path.join(tmp, 'bad.md')
    await fsp.writeFile(notes, 'Some notes.')
    const policy = await add(dataDir, [notes, '--on-conflict', 'overwrite'])
    expect(policy.code).toBe(2)
    expect(policy.stderr).toMatch(/^bento: Invalid --on-conflict "overwrite": expected replace, keep-both, reject/)
    for (const metadata of ['{"team":', '{"source":"x"}']) {
      const run = await add(dataDir, [notes, '--metadata', metadata])
      expect(run.code, metadata).toBe(2)
      expect(run.stderr).toMatch(/^bento: Invalid --metadata/)
    }
    await expect(fsp.lstat(path.join(dataDir, 'vectors'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('bento ls <key>', () => {
  it("lists one scope's documents through the paginated op, whole or one page at a time", async () => {
    const dataDir = path.join(tmp, 'ls-docs')
    const files: string[] = []
    for (let i = 0; i < 3; i++) {
      const file = path.join(tmp, `page-${i}.txt`)
      await fsp.writeFile(file, `Page ${i} text.`)
      files.push(file)
    }
    await add(dataDir, files)
    const all = await runInProcess(['ls', 'user-1', '--json', '--data-dir', dataDir])
    const whole = JSON.parse(all.stdout) as { documents: Array<{ id: string }>; nextCursor: string | null }
    expect(whole.documents).toHaveLength(3)
    expect(whole.nextCursor).toBeNull()
    const first = JSON.parse((await runInProcess(['ls', 'user-1', '--limit', '2', '--json', '--data-dir', dataDir])).stdout) as typeof whole
    const second = JSON.parse((await runInProcess(['ls', 'user-1', '--limit', '2', '--cursor', first.nextCursor!, '--json', '--data-dir', dataDir])).stdout) as typeof whole
    expect([...first.documents, ...second.documents].map((doc) => doc.id)).toEqual(whole.documents.map((doc) => doc.id))
    expect(second.nextCursor).toBeNull()
    const missing = await runInProcess(['ls', 'nobody', '--data-dir', dataDir])
    expect(missing.code).toBe(3)
  })
})

describe('bento search --filter', () => {
  it('finds only passages whose metadata or source matches', async () => {
    const dataDir = path.join(tmp, 'filter')
    const billing = path.join(tmp, 'billing.md')
    const support = path.join(tmp, 'support.md')
    await fsp.writeFile(billing, 'Refunds for invoices take 14 days.')
    await fsp.writeFile(support, 'Refunds for devices take 30 days.')
    await add(dataDir, [billing, '--metadata', '{"team":"billing","year":2024}'])
    await add(dataDir, [support, '--metadata', '{"team":"support"}'])
    const run = await runInProcess(['search', 'user-1', 'refunds days', '--filter', 'year=2024', '--json', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    expect((JSON.parse(run.stdout) as { results: Array<{ metadata: { source: string } }> }).results.map((hit) => hit.metadata.source)).toEqual(['billing.md'])
    const bad = await runInProcess(['search', 'user-1', 'refunds', '--filter', 'novalue', '--data-dir', dataDir])
    expect(bad.code).toBe(2)
  })
})
