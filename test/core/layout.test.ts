import { mkdir, symlink, writeFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { assertInside, assertNoSymlinks, createLayout, ensureDir } from '../../src/core/layout.js'
import { customScope, sessionScope, sharedScope } from '../../src/core/keys.js'
import { UnsafePathError } from '../../src/core/errors.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()

describe('layout', () => {
  it('draws the seed tree: shared/ and isolated/<dir>/ under vectors and uploads', async () => {
    const root = await tempDir()
    const layout = createLayout(root)
    expect(layout.vectorsDir(sharedScope())).toBe(path.join(root, 'vectors', 'shared'))
    expect(layout.uploadsDir(customScope('user-456'))).toBe(path.join(root, 'uploads', 'isolated', 'user-456'))
    expect(layout.vectorsDir(sessionScope('abc123'.padEnd(32, '0')))).toBe(
      path.join(root, 'vectors', 'isolated', `session-${'abc123'.padEnd(32, '0')}`),
    )
  })

  it('keeps scope metadata inside the scope vectors dir so a scope moves as one unit', async () => {
    const layout = createLayout(await tempDir())
    const scope = customScope('user-1')
    for (const file of [layout.activityFile(scope), layout.conversationsDir(scope), layout.memoryDir(scope)]) {
      expect(path.dirname(file)).toBe(layout.vectorsDir(scope))
    }
  })

  it('gives the shared scope and a custom key distinct lock files', async () => {
    const layout = createLayout(await tempDir())
    expect(layout.lockTarget(sharedScope())).not.toBe(layout.lockTarget(customScope('isolated-shared')))
  })

  it('refuses paths outside the data dir', async () => {
    const root = await tempDir()
    expect(() => assertInside(root, path.join(root, '..', 'elsewhere'))).toThrow(UnsafePathError)
    expect(() => assertInside(root, '/etc/passwd')).toThrow(UnsafePathError)
    expect(() => assertInside(root, path.join(root, 'vectors'))).not.toThrow()
  })

  it('refuses a scope dir that is a symlink', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    const layout = createLayout(root)
    const scope = customScope('evil')
    await mkdir(layout.isolatedDir('vectors'), { recursive: true })
    await symlink(outside, layout.vectorsDir(scope))
    await expect(assertNoSymlinks(layout, path.join(layout.vectorsDir(scope), 'hnswlib.index'))).rejects.toThrow(UnsafePathError)
    await expect(ensureDir(layout, path.join(layout.vectorsDir(scope), 'conversations'))).rejects.toThrow(UnsafePathError)
    expect(await readdir(outside)).toEqual([])
  })

  it('refuses a symlinked tree dir (vectors -> elsewhere)', async () => {
    const root = await tempDir()
    const outside = await tempDir('bento-outside-')
    await symlink(outside, path.join(root, 'vectors'))
    const layout = createLayout(root)
    await expect(ensureDir(layout, layout.vectorsDir(customScope('user-1')))).rejects.toThrow(UnsafePathError)
    expect(await readdir(outside)).toEqual([])
  })

  it('allows the data root itself to be a symlink (data -> /mnt/disk)', async () => {
    const real = await tempDir()
    const parent = await tempDir()
    const link = path.join(parent, 'data')
    await symlink(real, link)
    const layout = createLayout(link)
    expect(layout.root).toBe(real)
    await ensureDir(layout, layout.vectorsDir(customScope('user-1')))
    await writeFile(path.join(layout.vectorsDir(customScope('user-1')), 'x'), 'x')
    expect(await readdir(path.join(real, 'vectors', 'isolated'))).toEqual(['user-1'])
  })
})
