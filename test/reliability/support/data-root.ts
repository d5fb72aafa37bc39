/**
 * What may exist inside a data root: `vectors/`, `uploads/` and `.bento/` at the
 * top; `shared/` and `isolated/` below the trees; and under `isolated/` only
 * names that `keys.ts` could have produced. Returns every entry that breaks it.
 */
import { lstat, readdir } from 'node:fs/promises'
import path from 'node:path'
import { isScopeDirName } from '../../../src/core/keys.js'

const list = (dir: string): Promise<string[]> => readdir(dir).catch(() => [] as string[])

export const strayEntries = async (dataDir: string): Promise<string[]> => {
  const stray: string[] = []
  for (const name of await list(dataDir)) if (!['vectors', 'uploads', '.bento'].includes(name)) stray.push(name)
  for (const tree of ['vectors', 'uploads']) {
    for (const name of await list(path.join(dataDir, tree))) if (!['shared', 'isolated'].includes(name)) stray.push(`${tree}/${name}`)
    for (const name of await list(path.join(dataDir, tree, 'isolated'))) {
      const full = path.join(dataDir, tree, 'isolated', name)
      if (!isScopeDirName(name) || !(await lstat(full)).isDirectory()) stray.push(`${tree}/isolated/${name}`)
    }
  }
  return stray
}
