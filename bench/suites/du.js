/**
 * `bento du --json` (and `bento ls --json`) against GNU `du -sb` over the same
 * per-scope directories, on two trees: the Pareto-sized one (~20 files per
 * scope) and one of small scopes (one upload each, ~6 files per scope), where
 * per-scope costs are not hidden behind per-file ones. All run as child
 * processes, so all pay process start-up; Bento also reads each scope's
 * activity file (and ls its manifest), which du does not.
 */
import path from 'node:path'
import { generateDataDir, PROFILES } from '../gen/scopes.js'
import { runPairs } from '../lib/pairs.js'
import { runChecked } from '../lib/proc.js'
import { requireCli } from '../lib/library.js'
import { comparison } from '../lib/compare.js'

export const scopeDirArgs = (scopes) => scopes.flatMap((s) => [path.join('vectors', 'isolated', s.dir), path.join('uploads', 'isolated', s.dir)])

const TREES = [
  { name: 'du', profile: PROFILES.du, commands: ['du'], shape: 'Pareto-sized: most hold 1–5 documents, a few hundreds' },
  { name: 'small', profile: PROFILES.small, commands: ['du', 'ls'], shape: 'small: one upload each' },
]

const measureTree = async ({ tree: spec, cli, count, scale, seed, workDir, templatesDir, log }) => {
  const root = path.join(workDir, `data-${spec.name}`)
  log(`  generating ${count} scopes (${spec.name})…`)
  const tree = await generateDataDir({ root, seed, to: count, profile: spec.profile, templatesDir })
  log(`  ${tree.scopes.length} scopes, ${tree.files} files, ${(tree.bytes / 2 ** 20).toFixed(0)} MiB of uploads`)
  const dirs = scopeDirArgs(tree.scopes)
  const duArgs = ['-sb', '--files0-from=-']
  const duInput = `${dirs.join('\0')}\0`
  const duOut = (await runChecked('du', duArgs, { cwd: root, capture: true, input: duInput })).stdout
  const duBytes = duOut.trim().split('\n').reduce((sum, line) => sum + Number(line.split('\t')[0]), 0)
  const label = `${count / 1000}k scopes / ${Math.round(tree.files / 1000)}k files`
  const comparisons = []
  for (const command of spec.commands) {
    const bento = [cli, command, '--json', '--data-dir', root]
    // Correctness first: a fast wrong answer is not a result.
    const first = JSON.parse((await runChecked(process.execPath, bento, { capture: true })).stdout)
    const seen = command === 'du' ? first.scopeCount : first.scopes.length
    if (seen !== count) throw new Error(`bento ${command} saw ${seen} scopes, generated ${count}`)
    const pairs = await runPairs({
      pairs: scale.pairs,
      log,
      a: async () => (await runChecked(process.execPath, bento)).ms,
      b: async () => (await runChecked('du', duArgs, { cwd: root, input: duInput })).ms,
    })
    comparisons.push(comparison({
      name: `${command}, ${label}${spec.name === 'du' ? '' : ` (${spec.name} scopes)`}`,
      bento: `node bin/bento.js ${command} --json --data-dir D`,
      baseline: `du -sb --files0-from=- (the ${dirs.length} dirs vectors/isolated/<dir>, uploads/isolated/<dir> on stdin)`,
      unit: 'ms',
      target: 1.5,
      pairs,
      note: command === 'du' ? `Bento totalBytes ${first.totalBytes} (files only); du -sb ${duBytes} (includes directory entries)` : `${first.scopes.length} rows`,
    }))
  }
  return { setup: `${count} scopes (${spec.shape}), ${tree.files} files`, comparisons }
}

export const duSuite = {
  id: 'du',
  title: '`bento du --json` and `bento ls --json` vs `du -sb` over the same scope dirs',
  async run({ scale, seed, workDir, templatesDir, log }) {
    const cli = requireCli()
    const count = scale.du.scopes
    const results = []
    for (const tree of TREES) results.push(await measureTree({ tree, cli, count, scale, seed, workDir, templatesDir, log }))
    return {
      setup: `${results.map((r) => r.setup).join('; ')}; stores of 384-d vectors written by Bento's store API`,
      comparisons: results.flatMap((r) => r.comparisons),
    }
  },
}
