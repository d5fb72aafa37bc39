import { execFileSync } from 'node:child_process'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import { customScope, sessionScope } from '../../src/core/keys.js'
import { measureTree, scanScopes } from '../../src/core/scan.js'
import { errnoError, setFaultInjector } from '../../src/core/faults.js'
import type { ScanSkip } from '../../src/core/scan.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

/** GNU find's view of the same tree: sizes of everything that is not a directory, links not followed. */
const findBytes = (dir: string): { bytes: number; files: number } => {
  const lines = execFileSync('find', [dir, '!', '-type', 'd', '-printf', '%s\n'], { encoding: 'utf8' }).split('\n').filter(Boolean)
  return { bytes: lines.reduce((sum, line) => sum + Number(line), 0), files: lines.length }
}

describe('scanScopes', () => {
  it('lists shared, vectors scopes and upload-only scopes once each', async () => {
    const layout = createLayout(await tempDir())
    const session = sessionScope('0123456789abcdef0123456789ABCDEF')
    await mkdir(layout.vectorsDir(customScope('shared')), { recursive: true })
    await mkdir(layout.vectorsDir(customScope('user-1')), { recursive: true })
    await mkdir(layout.uploadsDir(customScope('user-1')), { recursive: true })
    await mkdir(layout.uploadsDir(customScope('Tenant:u2')), { recursive: true })
    await mkdir(layout.vectorsDir(session), { recursive: true })
    const keys = (await collect(scanScopes(layout))).map((scope) => scope.key)
    expect(keys[0]).toBe('shared')
    expect(keys.sort()).toEqual(['0123456789abcdef0123456789abcdef', 'Tenant:u2', 'shared', 'user-1'])
    const sessions = await collect(scanScopes(layout, { kinds: ['session'] }))
    expect(sessions.map((scope) => scope.dir)).toEqual([session.dir])
  })

  it('skips and reports planted symlinks, stray files and names no key maps to', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    const layout = createLayout(root)
    await mkdir(layout.isolatedDir('vectors'), { recursive: true })
    await mkdir(layout.isolatedDir('uploads'), { recursive: true })
    await symlink(outside, path.join(layout.isolatedDir('vectors'), 'evil'))
    await symlink(outside, path.join(layout.isolatedDir('uploads'), 'evil'))
    await writeFile(path.join(layout.isolatedDir('vectors'), 'user-9'), 'a file, not a scope dir')
    await mkdir(path.join(layout.isolatedDir('vectors'), 'Upper'))
    await mkdir(path.join(layout.isolatedDir('vectors'), '..hidden'))
    await mkdir(layout.vectorsDir(customScope('ok')), { recursive: true })
    const skipped: ScanSkip[] = []
    const scopes = await collect(scanScopes(layout, { onSkip: (skip) => skipped.push(skip) }))
    expect(scopes.map((scope) => scope.key)).toEqual(['ok'])
    const reasons = Object.fromEntries(skipped.map((skip) => [path.relative(root, skip.path), skip.reason]))
    expect(reasons).toEqual({
      'vectors/isolated/evil': 'symlink',
      'vectors/isolated/user-9': 'not-a-directory',
      'vectors/isolated/Upper': 'not-a-scope',
      'vectors/isolated/..hidden': 'not-a-scope',
    })
  })

  it('refuses a symlinked shared dir', async () => {
    const root = await tempDir()
    const layout = createLayout(root)
    await mkdir(layout.treeDir('vectors'), { recursive: true })
    await symlink(await tempDir('bento-outside-'), path.join(layout.treeDir('vectors'), 'shared'))
    const skipped: ScanSkip[] = []
    expect(await collect(scanScopes(layout, { onSkip: (skip) => skipped.push(skip) }))).toEqual([])
    expect(skipped.map((skip) => skip.reason)).toEqual(['symlink'])
  })

  it('streams an empty or missing data dir as nothing', async () => {
    expect(await collect(scanScopes(createLayout(path.join(await tempDir(), 'missing'))))).toEqual([])
  })
})

describe('measureTree', () => {
  it('agrees with GNU find on apparent sizes, counts links as links and never follows them', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'secret.bin'), Buffer.alloc(100_000, 7))
    const tree = path.join(root, 'tree')
    await mkdir(path.join(tree, 'a', 'b', 'c'), { recursive: true })
    await writeFile(path.join(tree, 'one.txt'), 'hello')
    await writeFile(path.join(tree, 'a', 'two.bin'), Buffer.alloc(12_345))
    await writeFile(path.join(tree, 'a', 'b', 'c', 'empty'), '')
    await symlink(outside, path.join(tree, 'a', 'dir-link'))
    await symlink(path.join(outside, 'secret.bin'), path.join(tree, 'file-link'))
    const skipped: ScanSkip[] = []
    const measured = await measureTree(tree, { onSkip: (skip) => skipped.push(skip) })
    expect(measured).toEqual(findBytes(tree))
    expect(measured.files).toBe(5)
    expect(measured.bytes).toBeLessThan(100_000) // the outside file was not counted
    expect(skipped.map((skip) => path.basename(skip.path)).sort()).toEqual(['dir-link', 'file-link'])
    expect((await readFile(path.join(outside, 'secret.bin'))).length).toBe(100_000)
  })

  it('yields to the event loop while walking a large tree, so a server keeps answering', async () => {
    const tree = path.join(await tempDir(), 'tree')
    for (let d = 0; d < 4; d++) {
      await mkdir(path.join(tree, `doc-${d}`), { recursive: true })
      await Promise.all(Array.from({ length: 400 }, (_, i) => writeFile(path.join(tree, `doc-${d}`, `f${i}`), 'x'.repeat(i % 7))))
    }
    let ticked = false
    setImmediate(() => (ticked = true))
    const measured = await measureTree(tree)
    expect(ticked).toBe(true)
    expect(measured).toEqual(findBytes(tree))
    expect(measured.files).toBe(1600)
  })

  it('surfaces an I/O error of the walk instead of answering a short total', async () => {
    const tree = path.join(await tempDir(), 'tree')
    await mkdir(path.join(tree, 'doc'), { recursive: true })
    await writeFile(path.join(tree, 'doc', 'file'), 'abc')
    setFaultInjector((op, p) => (op === 'readdir' && p.endsWith('doc') ? errnoError('EIO', op, p) : undefined))
    try {
      await expect(measureTree(tree)).rejects.toMatchObject({ code: 'EIO' })
    } finally {
      setFaultInjector(undefined)
    }
    expect(await measureTree(tree)).toEqual({ bytes: 3, files: 1 })
  })

  it('answers zero for a missing tree and one link for a root that is a link', async () => {
    const root = await tempDir()
    expect(await measureTree(path.join(root, 'none'))).toEqual({ bytes: 0, files: 0 })
    await symlink(await tempDir('bento-outside-'), path.join(root, 'link'))
    const measured = await measureTree(path.join(root, 'link'))
    expect(measured.files).toBe(1)
    expect(measured).toEqual(findBytes(path.join(root, 'link')))
  })
})
