/**
 * Issue 12 item 3, reproduced with real processes: a writer holding scope X's
 * lock stalls (its heartbeat stops), the lock goes stale, `bento migrate Y --to X`
 * takes it over and merges, then the stalled writer resumes. It used to commit
 * from its stale view and delete Y's uploads as "unfinished"; now it finds its
 * lock lost and publishes nothing.
 */
import { spawn } from 'node:child_process'
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLayout } from '../../src/core/layout.js'
import { scopeFromArg } from '../../src/core/keys.js'
import { STALE_MS } from '../../src/core/lock.js'
import { assertBuilt, REPO_ROOT, runBento } from '../cli/support/bento.js'
import { buildDataDir, text } from '../cli/support/fixture.js'
import { useTempDirs } from '../helpers/temp-dir.js'

const tempDir = useTempDirs()
const STALLED = path.join(REPO_ROOT, 'test/reliability/fixtures/stalled-commit.mjs')

const startStalledWriter = (dataDir: string, key: string, goFile: string) => {
  const child = spawn(process.execPath, [STALLED, REPO_ROOT, dataDir, key, goFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const lines = (want: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = out.match(want)
        if (match) resolve(match[0])
      }
      child.stdout.on('data', (data: Buffer) => {
        out += data.toString()
        check()
      })
      child.once('exit', (code) => {
        check()
        reject(new Error(`stalled writer exited ${code} with output ${out}`))
      })
    })
  const locked = lines(/^locked$/m)
  const outcome = lines(/^(committed|error .+)$/m)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return { locked, outcome, exited }
}

describe('a stalled writer whose scope lock was taken over', () => {
  it('does not commit from its stale view, so a migrate merged in meanwhile keeps every upload', async () => {
    assertBuilt()
    const dataDir = path.join(await tempDir(), 'data')
    await buildDataDir(dataDir, [
      { key: 'x', files: { 'x1.md': text('harbours') } },
      { key: 'y', files: { 'y1.md': text('glaciers'), 'y2.md': text('volcanoes') } },
    ])
    const goFile = path.join(dataDir, '..', 'go')
    const writer = startStalledWriter(dataDir, 'x', goFile)
    await writer.locked

    // The writer's heartbeat is stopped; age its lock past the stale window instead of waiting it out.
    const lockDir = `${createLayout(dataDir).lockTarget(scopeFromArg('x'))}.lock`
    const old = new Date(Date.now() - STALE_MS - 2000)
    await fsp.utimes(lockDir, old, old)
    const migrate = await runBento(['migrate', 'y', '--to', 'x', '--yes', '--json', '--data-dir', dataDir])
    expect(migrate.code, migrate.stderr).toBe(0)

    await fsp.writeFile(goFile, '')
    expect(await writer.outcome).toBe('error locked')
    await writer.exited

    const inspect = await runBento(['inspect', 'x', '--verify', '--json', '--data-dir', dataDir])
    expect(inspect.code, inspect.stdout + inspect.stderr).toBe(0)
    const uploads = await fsp.readdir(path.join(dataDir, 'uploads', 'isolated', 'x'))
    expect(uploads).toHaveLength(3)
    const report = JSON.parse(inspect.stdout) as { documents: unknown[] }
    expect(report.documents).toHaveLength(3)
  })
})
