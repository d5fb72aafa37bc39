/**
 * `bento du --json` against GNU `du -sb` over the same per-scope directories.
 * Both run as child processes, so both pay process start-up; Bento also reads
 * each scope's activity file, which du does not.
 */
import path from 'node:path'
import { generateDataDir, PROFILES } from '../gen/scopes.js'
import { runPairs } from '../lib/pairs.js'
import { runChecked } from '../lib/proc.js'
import { requireCli } from '../lib/library.js'
import { comparison } from '../lib/compare.js'

export const scopeDirArgs = (scopes) => scopes.flatMap((s) => [path.join('vectors', 'isolated', s.dir), path.join('uploads', 'isolated', s.dir)])

export const duSuite = {
  id: 'du',
  title: '`bento du --json` vs `du -sb` over the same scope dirs',
  async run({ scale, seed, workDir, templatesDir, log }) {
    const cli = requireCli()
    const root = path.join(workDir, 'data')
    const count = scale.du.scopes
    log(`  generating ${count} scopes…`)
    const tree = await generateDataDir({ root, seed, to: count, profile: PROFILES.du, templatesDir })
    log(`  ${tree.scopes.length} scopes, ${tree.files} files, ${(tree.bytes / 2 ** 20).toFixed(0)} MiB of uploads`)
    const dirs = scopeDirArgs(tree.scopes)
    const duArgs = ['-sb', '--files0-from=-']
    const duInput = `${dirs.join('\0')}\0`
    const bento = [cli, 'du', '--json', '--data-dir', root]

    // Correctness first: a fast wrong answer is not a result.
    const first = JSON.parse((await runChecked(process.execPath, bento, { capture: true })).stdout)
    if (first.scopeCount !== count) throw new Error(`bento du saw ${first.scopeCount} scopes, generated ${count}`)
    const duOut = (await runChecked('du', duArgs, { cwd: root, capture: true, input: duInput })).stdout
    const duBytes = duOut.trim().split('\n').reduce((sum, line) => sum + Number(line.split('\t')[0]), 0)

    const pairs = await runPairs({
      pairs: scale.pairs,
      log,
      a: async () => (await runChecked(process.execPath, bento)).ms,
      b: async () => (await runChecked('du', duArgs, { cwd: root, input: duInput })).ms,
    })
    return {
      setup: `${count} scopes (Pareto-sized: most hold 1–5 documents, a few hundreds), ${tree.files} files, stores of 384-d vectors written by Bento's store API`,
      comparisons: [
        comparison({
          name: `du, ${count / 1000}k scopes / ${Math.round(tree.files / 1000)}k files`,
          bento: 'node bin/bento.js du --json --data-dir D',
          baseline: `du -sb --files0-from=- (the ${dirs.length} dirs vectors/isolated/<dir>, uploads/isolated/<dir> on stdin)`,
          unit: 'ms',
          target: 1.5,
          pairs,
          note: `Bento totalBytes ${first.totalBytes} (files only); du -sb ${duBytes} (includes directory entries)`,
        }),
      ],
    }
  },
}
