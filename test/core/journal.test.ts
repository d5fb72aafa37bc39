import { spawnSync } from 'node:child_process'
import { readdir, writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { beginIntent, endIntent, isOwnerGone, pendingIntentsFor, readIntents, releaseIntent, updateIntent } from '../../src/core/journal.js'
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
