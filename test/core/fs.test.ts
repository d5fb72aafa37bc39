import { readFile, readdir, writeFile, symlink, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as fs from '../../src/core/fs.js'
import { errnoError, setFaultInjector } from '../../src/core/faults.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()
afterEach(() => setFaultInjector(undefined))

describe('fs facade', () => {
  it('replaces a file atomically and leaves no temp file', async () => {
    const dir = await tempDir()
    const target = path.join(dir, 'a.json')
    await fs.writeJsonAtomic(target, { v: 1 })
    await fs.writeJsonAtomic(target, { v: 2 })
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ v: 2 })
    expect(await readdir(dir)).toEqual(['a.json'])
  })

  it.each(['ENOSPC', 'EIO', 'EACCES'])('keeps the old content when the write fails with %s', async (code) => {
    const dir = await tempDir()
    const target = path.join(dir, 'a.json')
    await fs.writeJsonAtomic(target, { v: 1 })
    setFaultInjector((op, p) => (op === 'writeFile' ? errnoError(code, op, p) : undefined))
    await expect(fs.writeJsonAtomic(target, { v: 2 })).rejects.toMatchObject({ code })
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ v: 1 })
    expect(await readdir(dir)).toEqual(['a.json'])
  })

  it('keeps the old content and sweeps the temp file when the rename fails', async () => {
    const dir = await tempDir()
    const target = path.join(dir, 'a.json')
    await fs.writeJsonAtomic(target, { v: 1 })
    setFaultInjector((op, p) => (op === 'rename' ? errnoError('EIO', op, p) : undefined))
    await expect(fs.writeJsonAtomic(target, { v: 2 })).rejects.toMatchObject({ code: 'EIO' })
    expect(await readdir(dir)).toEqual(['a.json'])
  })

  it('reads a small file at the size a walk saw, whole if it grew since, never through a link', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'activity.json')
    await writeFile(file, '{"a":1}')
    expect(fs.readSmallTextSyncNoFollow(file, 7)).toBe('{"a":1}')
    expect(fs.readSmallTextSyncNoFollow(file, 3)).toBe('{"a":1}')
    const big = 'x'.repeat(10_000)
    await writeFile(file, big)
    expect(fs.readSmallTextSyncNoFollow(file, 5_000)).toBe(big)
    await symlink(file, path.join(dir, 'link.json'))
    expect(() => fs.readSmallTextSyncNoFollow(path.join(dir, 'link.json'), 10_000)).toThrow(expect.objectContaining({ code: 'ELOOP' }))
  })

  it('names temp files so an open can recognize and sweep them', () => {
    const temp = fs.tempPathFor('/x/docstore.json')
    expect(fs.isTempName(path.basename(temp))).toBe(true)
    expect(fs.isTempName('docstore.json')).toBe(false)
  })

  it('removes a symlink, never its target', async () => {
    const dir = await tempDir()
    const outside = await tempDir('bento-outside-')
    await writeFile(path.join(outside, 'keep.txt'), 'keep')
    await mkdir(path.join(dir, 'scope'))
    await symlink(outside, path.join(dir, 'scope', 'link'))
    await fs.remove(path.join(dir, 'scope'))
    expect(await readFile(path.join(outside, 'keep.txt'), 'utf8')).toBe('keep')
    expect(await fs.exists(path.join(dir, 'scope'))).toBe(false)
  })
})

describe('fsync', () => {
  it('syncs a file and a directory through the one guarded fsync op, so a fault hits either', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'a.txt')
    await writeFile(file, 'a')
    const seen: string[] = []
    setFaultInjector((op, p) => {
      if (op === 'fsync') seen.push(p)
      return undefined
    })
    await fs.fsyncFile(file)
    await fs.fsyncDir(dir)
    expect(seen).toEqual([file, dir])
    setFaultInjector((op, p) => (op === 'fsync' && p === dir ? errnoError('EIO', op, p) : undefined))
    await expect(fs.fsyncDir(dir)).rejects.toMatchObject({ code: 'EIO' })
    await expect(fs.fsyncFile(file)).resolves.toBeUndefined()
  })
})
