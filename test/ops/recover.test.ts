import { lutimes, mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UnsafePathError } from '../../src/core/errors.js'
import { JOURNAL_TEMP_GRACE_MS } from '../../src/core/journal.js'
import { recoverPendingOperations } from '../../src/ops/recover.js'
import { useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt } = useBackendFixtures()

const setup = async () => {
  const root = await tempDir()
  const backend = backendAt(root)
  return { root, backend, journalDir: backend.layout.journalDir }
}

/** Sets a path's own times (a link's, not its target's) to `ageMs` ago. */
const age = async (file: string, ageMs: number) => {
  const then = new Date(Date.now() - ageMs)
  await lutimes(file, then, then)
}

const OLD = JOURNAL_TEMP_GRACE_MS + 60_000

describe('recoverPendingOperations', () => {
  it('sweeps stray journal temp files older than the grace period and keeps fresh ones', async () => {
    const { backend, journalDir } = await setup()
    await mkdir(journalDir, { recursive: true })
    const stray = '.op-abc-0123456789ab.json.tmp-0123456789ab'
    const inFlight = '.op-abc-0123456789ab.json.tmp-abcdefabcdef'
    await writeFile(path.join(journalDir, stray), '{ "id": "op-abc-01')
    await age(path.join(journalDir, stray), OLD)
    await writeFile(path.join(journalDir, inFlight), '{ "id": "op-abc-01')
    await age(path.join(journalDir, inFlight), JOURNAL_TEMP_GRACE_MS - 20_000)

    const report = await recoverPendingOperations(backend)

    expect(report).toEqual({ completed: [], pending: [] })
    expect(await readdir(journalDir)).toEqual([inFlight])
  })

  it('never follows a symlink named like a temp file: the link is left and its target survives', async () => {
    const { backend, journalDir } = await setup()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'precious.txt'), 'keep me')
    await mkdir(path.join(outside, 'dir'))
    await writeFile(path.join(outside, 'dir', 'inner.txt'), 'keep me too')
    await mkdir(journalDir, { recursive: true })
    const toFile = path.join(journalDir, '.op-abc-0123456789ab.json.tmp-000000000001')
    const toDir = path.join(journalDir, '.op-abc-0123456789ab.json.tmp-000000000002')
    await symlink(path.join(outside, 'precious.txt'), toFile)
    await symlink(path.join(outside, 'dir'), toDir)
    await utimes(path.join(outside, 'precious.txt'), new Date(0), new Date(0)) // an old target must not count as an old temp
    await age(toFile, OLD)
    await age(toDir, OLD)

    await recoverPendingOperations(backend)

    expect((await readdir(journalDir)).sort()).toEqual([path.basename(toFile), path.basename(toDir)])
    expect(await readFile(path.join(outside, 'precious.txt'), 'utf8')).toBe('keep me')
    expect(await readFile(path.join(outside, 'dir', 'inner.txt'), 'utf8')).toBe('keep me too')
  })

  it('refuses to sweep through a journal dir that is a symlink to elsewhere', async () => {
    const { root, backend } = await setup()
    const outside = await tempDir('bento-outside-')
    const temp = path.join(outside, '.op-abc-0123456789ab.json.tmp-0123456789ab')
    await writeFile(temp, 'not ours')
    await age(temp, OLD)
    await mkdir(path.join(root, '.bento'), { recursive: true })
    await symlink(outside, path.join(root, '.bento', 'journal'))

    await expect(recoverPendingOperations(backend)).rejects.toBeInstanceOf(UnsafePathError)
    expect(await readFile(temp, 'utf8')).toBe('not ours')
  })
})
