/**
 * One data dir per test file, built once (ingesting is the slow part) and
 * copied for each test, so every test spawns the CLI on a tree of its own.
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { assertBuilt, makeTempDir, removeDir } from './bento.js'
import { buildDataDir, type FixtureScope } from './fixture.js'

/**
 * Before the file's tests, checks the CLI is built and builds the template from
 * `scopes()` (called then, so backdated times are relative to that moment); after
 * them, removes it and every copy. Returns `freshDataDir`: a new copy per call.
 */
export const useTemplateDataDir = (scopes: () => FixtureScope[]): (() => Promise<string>) => {
  let tmp: string
  let template: string
  let counter = 0
  beforeAll(async () => {
    assertBuilt()
    tmp = await makeTempDir()
    template = path.join(tmp, 'template')
    await buildDataDir(template, scopes())
  }, 60_000)
  afterAll(() => removeDir(tmp))
  return async () => {
    const dataDir = path.join(tmp, `data-${counter++}`)
    await fsp.cp(template, dataDir, { recursive: true })
    return dataDir
  }
}
