/**
 * `bento quota` and the quota in `bento add`: a run that would pass the scope's
 * quota exits 3 and adds nothing. Setting a quota and the refused add run the real
 * binary; the other cases run the same program in-process (`runInProcess`).
 */
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, assertNoStack, makeTempDir, removeDir, runBento, runInProcess } from './support/bento.js'

let tmp: string
beforeAll(async () => {
  assertBuilt()
  tmp = await makeTempDir()
})
afterAll(async () => removeDir(tmp))

describe('bento quota', () => {
  it('sets, shows and clears a quota; bento add past it exits 3 and adds nothing', async () => {
    const dataDir = path.join(tmp, 'q')
    const files = await Promise.all(['a.md', 'b.md', 'c.md'].map(async (name) => {
      const file = path.join(tmp, name)
      await fsp.writeFile(file, `# ${name}\nSome text of ${name}.`)
      return file
    }))
    const set = await runBento(['quota', 'user-1', '--max-documents', '2', '--max-bytes', '500MB', '--json', '--data-dir', dataDir])
    expect(set.code).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({ key: 'user-1', quota: { maxDocuments: 2, maxBytes: 500 * 1024 * 1024 }, source: { maxDocuments: 'scope' }, usage: { documents: 0 } })

    expect((await runInProcess(['add', 'user-1', files[0]!, files[1]!, '--data-dir', dataDir])).code).toBe(0)
    const refused = await runBento(['add', 'user-1', files[2]!, '--data-dir', dataDir])
    assertNoStack(refused.stderr)
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/may hold 2 documents; it holds 2 and this would add 1/)

    const shown = await runInProcess(['quota', 'user-1', '--data-dir', dataDir])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/documents\s+2 of 2 \(the scope's own\)/)

    const inspected = await runInProcess(['inspect', 'user-1', '--data-dir', dataDir])
    expect(inspected.stdout).toMatch(/Quota\s+.+ of 500 MiB, 2 of 2 documents/)
    expect((await runInProcess(['du', '--data-dir', dataDir])).stdout).toMatch(/QUOTA[\s\S]*user-1 .* [0-9.]+% of 500 MiB/)
    const du = await runInProcess(['du', '--json', '--data-dir', dataDir])
    expect(JSON.parse(du.stdout).scopes[0].quota).toEqual({ maxBytes: 500 * 1024 * 1024, maxDocuments: 2 })

    // The default of the environment applies once the scope's own quota is cleared.
    const cleared = await runInProcess(['quota', 'user-1', '--clear', '--json', '--data-dir', dataDir], { env: { BENTO_QUOTA_MAX_DOCUMENTS: '5' } })
    expect(JSON.parse(cleared.stdout)).toMatchObject({ own: null, quota: { maxDocuments: 5, maxBytes: null }, source: { maxDocuments: 'default' } })
    expect((await runInProcess(['add', 'user-1', files[2]!, '--data-dir', dataDir])).code).toBe(0)
  }, 90_000) // two child processes: at load average 10 each start can take seconds

  it('refuses bad values with exit 2 and a one-line message', async () => {
    const dataDir = path.join(tmp, 'bad')
    for (const args of [['--max-bytes', 'lots'], ['--max-documents', '0'], ['--max-bytes', '0'], ['--clear', '--max-documents', '3']]) {
      const run = await runInProcess(['quota', 'user-1', ...args, '--data-dir', dataDir])
      assertNoStack(run.stderr)
      expect([args.join(' '), run.code]).toEqual([args.join(' '), 2])
    }
    expect((await runInProcess(['quota', 'bad key!', '--data-dir', dataDir])).code).toBe(2)
  }, 90_000)
})
