import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'

/**
 * A fresh temp dir per call, removed after the test that made it.
 * Every test that touches the disk uses one: tests never share a data dir.
 */
export const useTempDirs = () => {
  const made: string[] = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (prefix = 'bento-test-'): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}
