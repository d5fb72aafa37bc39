import { spawnSync } from 'node:child_process'
import { readdir, writeFile, mkdir, unlink } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { setFaultInjector } from '../../src/core/faults.js'
import { beginIntent, cachedPendingIntentsFor, endIntent, isOwnerGone, pendingIntentsFor, readIntents, releaseIntent, updateIntent } from '../../src/core/journal.js'
import { createLayout } from '../../src/core/layout.js'
import { customScope } from '../../src/core/keys.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()

describe('journal', () => {
  it('keeps an intent on disk from begin to end, with its phase', async () => {
    const layout = createLayout(await tempDir())
    const a = customScope('a')
    const intent = await beginIntent(layout, { op: 'cleanup', scopes: [a], phase: 'start', data: { n: 1 } })
    expect((await pendingIntentsFor(layout, a)).map((i) => i.id)).toEqual([intent.id])
    expect(await pendingIntentsFor(layout, customScope('b'))).toEqual([])
    await updateIntent(layout, intent, 'moved', { m: 2 })
    const [read] = (await readIntents(layout)).intents
    expect(read).toMatchObject({ id: intent.id, phase: 'moved', data: { n: 1, m: 2 }, pid: process.pid })
    expect(isOwnerGone(intent)).toBe(false) // running here
    releaseIntent(intent)
    expect(isOwnerGone(intent)).toBe(true) // this process gave up on it
    await endIntent(layout, intent)
    expect(await readdir(layout.journalDir)).toEqual([])
  })

  it('tells a dead owner from a live one', async () => {
    const layout = createLayout(await tempDir())
    const intent = await beginIntent(layout, { op: 'cleanup', scopes: [customScope('a')], phase: 'start', data: {} })
    releaseIntent(intent)
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    expect(isOwnerGone({ ...intent, pid: Number(child.stdout) })).toBe(true)
    expect(isOwnerGone({ ...intent, pid: process.ppid })).toBe(false)
    expect(isOwnerGone({ ...intent, pid: Number(child.stdout), host: 'another-host' })).toBe(false)
  })

  it('reports unreadable files and never executes them', async () => {
    const layout = createLayout(await tempDir())
    await mkdir(layout.journalDir, { recursive: true })
    await writeFile(path.join(layout.journalDir, 'op-abc-0123456789ab.json'), '{ torn')
    await writeFile(path.join(layout.journalDir, 'notes.txt'), 'hello')
    const { intents, unreadable } = await readIntents(layout)
    expect(intents).toEqual([])
    expect(unreadable.sort()).toEqual(['notes.txt', 'op-abc-0123456789ab.json'])
  })
})

describe('cachedPendingIntentsFor', () => {
  /** An intent file as another process's migrate would leave it. */
  const writeForeignIntent = async (journalDir: string, id: string, scopeKey: string) => {
    const scope = customScope(scopeKey)
    const intent = { id, op: 'migrate', scopes: [{ kind: scope.kind, key: scope.key, dir: scope.dir }], phase: 'start', pid: 1, host: 'elsewhere', createdAt: new Date().toISOString(), data: {} }
    await mkdir(journalDir, { recursive: true })
    await writeFile(path.join(journalDir, `${id}.json`), JSON.stringify(intent))
  }

  it('sees intents another process writes or removes, even within one mtime tick of the last read', async () => {
    const layout = createLayout(await tempDir())
    const a = customScope('a')
    const id = 'op-abc-0123456789ab'
    expect(await cachedPendingIntentsFor(layout, a)).toEqual([])
    await writeForeignIntent(layout.journalDir, id, 'a')
    expect((await cachedPendingIntentsFor(layout, a)).map((i) => i.id)).toEqual([id])
    expect(await cachedPendingIntentsFor(layout, customScope('b'))).toEqual([])
    await unlink(path.join(layout.journalDir, `${id}.json`))
    expect(await cachedPendingIntentsFor(layout, a)).toEqual([])
    await writeForeignIntent(layout.journalDir, id, 'a')
    expect((await cachedPendingIntentsFor(layout, a)).map((i) => i.id)).toEqual([id])
  })

  it('costs one lstat while the journal dir is unchanged, and sees this process\'s intents at once', async () => {
    const layout = createLayout(await tempDir())
    const a = customScope('a')
    await writeForeignIntent(layout.journalDir, 'op-abc-0123456789ab', 'other')
    await new Promise((resolve) => setTimeout(resolve, 120)) // past the racy window
    expect(await cachedPendingIntentsFor(layout, a)).toEqual([])
    const ops: string[] = []
    setFaultInjector((op) => {
      ops.push(op)
      return undefined
    })
    try {
      expect(await cachedPendingIntentsFor(layout, a)).toEqual([])
      expect(ops).toEqual(['lstat'])
    } finally {
      setFaultInjector(undefined)
    }
    const intent = await beginIntent(layout, { op: 'cleanup', scopes: [a], phase: 'start', data: {} })
    expect((await cachedPendingIntentsFor(layout, a)).map((i) => i.id)).toEqual([intent.id])
    releaseIntent(intent)
    await endIntent(layout, intent)
    expect(await cachedPendingIntentsFor(layout, a)).toEqual([])
  })
})
