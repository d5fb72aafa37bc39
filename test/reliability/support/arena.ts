/**
 * An arena for attacks: a data dir buried twelve levels deep in a temp dir,
 * next to a sentinel tree. Anything an attack writes, moves or deletes outside
 * the data dir shows up as a difference in `snapshotOutside`.
 */
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { mapTree } from '../../helpers/map-tree.js'

export interface Arena {
  /** The temp dir holding everything; removed by `dispose`. */
  base: string
  /** Files an attack must never read, change or delete. */
  sentinel: string
  dataDir: string
  dispose(): Promise<void>
}

const DEPTH = 12

export const createArena = async (prefix = 'bento-arena-'): Promise<Arena> => {
  const base = await mkdtemp(path.join(os.tmpdir(), prefix))
  const sentinel = path.join(base, 'sentinel')
  await mkdir(path.join(sentinel, 'nested', 'deeper'), { recursive: true })
  await writeFile(path.join(sentinel, 'secret.txt'), 'SENTINEL-SECRET do not read, move or delete\n')
  await writeFile(path.join(sentinel, 'nested', 'data.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff)))
  await writeFile(path.join(sentinel, 'nested', 'deeper', 'notes.md'), '# sentinel notes\n')
  await mkdir(path.join(sentinel, 'vectors', 'isolated', 'victim'), { recursive: true })
  await writeFile(path.join(sentinel, 'vectors', 'isolated', 'victim', 'bento.json'), '{"sentinel":true}\n')
  const levels = Array.from({ length: DEPTH }, (_, i) => `n${i}`)
  const dataDir = path.join(base, ...levels, 'data')
  await mkdir(dataDir, { recursive: true })
  return { base, sentinel, dataDir, dispose: () => rm(base, { recursive: true, force: true }) }
}

/**
 * Every entry under `root` except `exclude` (relative path → type, size, mtime and
 * sha256), so a changed byte, a touched mtime, a new or a missing file all differ.
 */
export const snapshotTree = (root: string, exclude?: string): Promise<Record<string, string>> =>
  mapTree(root, async (full, stats) =>
    stats.isSymbolicLink() ? `link ${await readlink(full)}` :
    stats.isDirectory() ? 'dir' :
    `file ${stats.size} ${stats.mtimeMs} ${createHash('sha256').update(await readFile(full)).digest('hex')}`, exclude)

/** The arena outside its data dir: the sentinel and every level above the data dir. */
export const snapshotOutside = (arena: Arena): Promise<Record<string, string>> => snapshotTree(arena.base, arena.dataDir)
