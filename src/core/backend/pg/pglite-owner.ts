/**
 * One process at a time on a PGlite data dir. PGlite is PostgreSQL inside one
 * process with its own buffers: a second process opening the same dir works on
 * a stale copy and their writes overwrite each other's (an acknowledged upload
 * was lost that way; test/core/backend/pg/pglite-owner.stress.test.ts). So the opener
 * records its pid in the dir and a later opener is refused while that process
 * lives; a dead owner's record (a crash) is taken over at once.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DatabaseUnavailableError } from '../../errors.js'

const OWNER_FILE = 'bento-owner.pid'

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const ownerOf = async (file: string): Promise<number | undefined> => {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

/** Claims the dir for this process; resolves to the release. Throws `DatabaseUnavailableError` while another live process (or this one) holds it. */
export const claimPgliteDir = async (dir: string): Promise<() => Promise<void>> => {
  const file = path.join(dir, OWNER_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' })
      return () => rm(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const pid = await ownerOf(file)
    if (pid !== undefined && isAlive(pid)) {
      throw new DatabaseUnavailableError(
        `pglite:${dir} is open in ${pid === process.pid ? 'this process already' : `another process (pid ${pid})`}: PGlite runs inside one process. Stop that process first, or use a PostgreSQL server (postgres://…) to share a database between processes.`,
      )
    }
    // The owner died without releasing (a crash): take over, unless another opener just did.
    if ((await ownerOf(file)) === pid) await rm(file, { force: true })
  }
  throw new DatabaseUnavailableError(`pglite:${dir}: could not claim the data dir (several processes opening it at once); try again.`)
}
