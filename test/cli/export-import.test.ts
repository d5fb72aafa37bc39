/**
 * `bento export` and `bento import`: a backup restored into another data dir,
 * stdout archives, the --yes gate, dry runs that write nothing, and refusals with
 * their documented exit codes and one-line messages. The restore, the archive on
 * stdout, the default file name in the working dir and the --yes gate run the real
 * binary; the other cases run the same program in-process (`runInProcess`).
 */
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertNoStack, BIN, baseEnv, makeTempDir, removeDir, runBento, runInProcess } from './support/bento.js'
import { snapshotTree, text, type FixtureScope } from './support/fixture.js'
import { useTemplateDataDir } from './support/template.js'

const freshDataDir = useTemplateDataDir((): FixtureScope[] => [
  { key: 'tenant_a:user_1', files: { 'handbook.md': text('onboarding', 20), 'faq.txt': text('vacation', 6) } },
  { key: 'user-9', files: { 'notes.txt': text('invoices', 6) } },
])

let scratch: string
beforeAll(async () => {
  scratch = await makeTempDir('bento-cli-archives-')
})
afterAll(() => removeDir(scratch))
let n = 0
const scratchPath = (name: string) => path.join(scratch, `${n++}-${name}`)

const json = <T>(stdout: string): T => JSON.parse(stdout) as T

describe('bento export / import', () => {
  it('restores a scope into a new data dir, where search finds its documents', async () => {
    const dataDir = await freshDataDir()
    const file = scratchPath('user.bento.tar')
    const exported = await runBento(['export', 'tenant_a:user_1', '-o', file, '--json', '--data-dir', dataDir])
    expect(exported.code, exported.stderr).toBe(0)
    expect(json<{ archives: unknown[]; failed: unknown[] }>(exported.stdout)).toMatchObject({ archives: [{ key: 'tenant_a:user_1', file, documents: 2, uploads: 2 }], failed: [] })

    const target = scratchPath('restored')
    const imported = await runBento(['import', file, '--yes', '--data-dir', target])
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toMatch(/^Imported .* as tenant_a:user_1:$/m)
    const search = await runInProcess(['search', 'tenant_a:user_1', 'vacation', '-k', '1', '--json', '--data-dir', target])
    expect(json<{ results: Array<{ title: string }> }>(search.stdout).results[0]?.title).toBe('faq.txt')
    const [source, copy] = await Promise.all([dataDir, target].map((dir) => runInProcess(['inspect', 'tenant_a:user_1', '--json', '--data-dir', dir])))
    const view = (stdout: string) => {
      const { documents, uploads, vectors } = json<{ documents: unknown; uploads: unknown; vectors: unknown }>(stdout)
      return { documents, uploads, vectors }
    }
    expect(view(copy!.stdout)).toEqual(view(source!.stdout))
  })

  it('-o - writes the archive to stdout and the summary to stderr; the default name is <dir>.bento.tar', async () => {
    const dataDir = await freshDataDir()
    const file = scratchPath('piped.tar')
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'export', 'tenant_a:user_1', '-o', '-', '--data-dir', dataDir], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout.pipe(createWriteStream(file))
      child.on('error', reject)
      child.on('close', (status) => resolve(status ?? -1))
    })
    expect(code).toBe(0)
    const check = await runInProcess(['import', file, '--dry-run', '--json', '--data-dir', scratchPath('none')])
    expect(check.code, check.stderr).toBe(0)
    expect(json<Record<string, unknown>>(check.stdout)).toMatchObject({ key: 'tenant_a:user_1', dryRun: true, documents: 2 })

    const cwd = scratchPath('cwd')
    await fsp.mkdir(cwd)
    expect((await runBento(['export', 'tenant_a:user_1', '--data-dir', dataDir], { cwd })).code).toBe(0)
    expect(await fsp.readdir(cwd)).toEqual(['tenant_a~cuser_1.bento.tar'])
  })

  it('export changes nothing in the data dir', async () => {
    const dataDir = await freshDataDir()
    const before = await snapshotTree(dataDir)
    expect((await runInProcess(['export', '--all', '-o', scratchPath('all'), '--data-dir', dataDir])).code).toBe(0)
    expect(await snapshotTree(dataDir)).toEqual(before)
  })

  it('--dry-run verifies and writes nothing (not even a data dir); without a terminal import needs --yes', async () => {
    const dataDir = await freshDataDir()
    const file = scratchPath('a.tar')
    expect((await runInProcess(['export', 'user-9', '-o', file, '--data-dir', dataDir])).code).toBe(0)
    const target = scratchPath('target')
    const dry = await runInProcess(['import', file, '--dry-run', '--data-dir', target])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/every checksum verified; nothing written/)
    await expect(fsp.lstat(target)).rejects.toMatchObject({ code: 'ENOENT' })
    const gated = await runBento(['import', file, '--data-dir', target])
    expect(gated.code).toBe(2)
    expect(gated.stderr).toBe('bento: import changes data and stdin is not a terminal: pass --yes to confirm (or --dry-run to preview).\n')
    await expect(fsp.lstat(target)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses, with one line and the documented exit code: a target holding data (3), another embedder (3), a damaged archive (2), an existing file (3)', async () => {
    const dataDir = await freshDataDir()
    const file = scratchPath('a.tar')
    expect((await runInProcess(['export', 'user-9', '-o', file, '--data-dir', dataDir])).code).toBe(0)
    const before = await snapshotTree(dataDir)

    const conflict = await runInProcess(['import', file, '--yes', '--data-dir', dataDir])
    expect(conflict.code).toBe(3)
    expect(conflict.stderr).toMatch(/^bento: Scope "user-9" already holds data .* --as <key>.*\n$/)

    const mismatch = await runInProcess(['import', file, '--as', 'user-10', '--yes', '--data-dir', dataDir], { env: { BENTO_EMBEDDINGS_DIMENSION: '128' } })
    expect(mismatch.code).toBe(3)
    expect(mismatch.stderr).toMatch(/^bento: The archive's vectors were made by embedder "local-hash-v1:384" \(dimension 384\), but the configured embedder is "local-hash-v1:128"/)

    const damaged = scratchPath('damaged.tar')
    const bytes = await fsp.readFile(file)
    const at = bytes.length - 2048 - 600
    bytes[at] = bytes[at]! ^ 0xff
    await fsp.writeFile(damaged, bytes)
    const bad = await runInProcess(['import', damaged, '--as', 'user-10', '--yes', '--data-dir', dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr.split('\n')).toHaveLength(2)

    const again = await runInProcess(['export', 'user-9', '-o', file, '--data-dir', dataDir])
    expect(again.code).toBe(3)
    expect(again.stderr).toMatch(/already exists; pass --force/)
    for (const run of [conflict, mismatch, bad, again]) assertNoStack(run.stderr)
    expect(await snapshotTree(dataDir)).toEqual(before)
  })
})
