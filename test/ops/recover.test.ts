import { lutimes, mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { NotFoundError, UnsafePathError } from '../../src/core/errors.js'
import type { StorageBackend } from '../../src/core/backend/types.js'
import type { Scope } from '../../src/core/keys.js'
import { beginIntent, JOURNAL_TEMP_GRACE_MS, releaseIntent } from '../../src/core/journal.js'
import { customScope } from '../../src/core/keys.js'
import { addFiles } from '../../src/ops/add.js'
import { compactScopes } from '../../src/ops/compact.js'
import { recoverPendingOperations } from '../../src/ops/recover.js'
import { useBackendFixtures } from './fixtures.js'

const { tempDir, backendAt, freshBackend } = useBackendFixtures()

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

const fileNames = (backend: StorageBackend, scope: Scope) =>
  backend.withStore(scope, async (store) => store.listDocuments().map((doc) => doc.title))

describe('a write command after a crashed migrate', () => {
  // What a SIGKILLed `bento migrate alice --to bob` leaves: its intent, naming a process that is gone.
  const crashedMigrate = async () => {
    const fixture = await freshBackend()
    const alice = customScope('alice')
    const bob = customScope('bob')
    await fixture.add(alice, { 'old.md': 'written before the migrate' })
    const intent = await beginIntent(fixture.layout, { op: 'migrate-rename', scopes: [alice, bob], phase: 'start', data: { copy: false } })
    releaseIntent(intent) // no longer running in this process: its owner is gone
    return { ...fixture, alice, bob }
  }

  it('finishes the migrate first, as `ls` and `inspect` promise, then adds to the emptied source', async () => {
    const { backend, input, alice, bob } = await crashedMigrate()
    const file = path.join(input, 'new.md')
    await writeFile(file, 'written after the crash')

    await addFiles(backend, alice, [file])

    expect(await readdir(backend.layout.journalDir)).toEqual([])
    expect(await fileNames(backend, bob)).toEqual(['old.md'])
    expect(await fileNames(backend, alice)).toEqual(['new.md'])
  })

  it('compact finishes it too, and then finds the source moved away', async () => {
    const { backend, alice, bob } = await crashedMigrate()
    await expect(compactScopes(backend, [alice])).rejects.toBeInstanceOf(NotFoundError)
    expect(await readdir(backend.layout.journalDir)).toEqual([])
    expect(await fileNames(backend, bob)).toEqual(['old.md'])
  })
})
