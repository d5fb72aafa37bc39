/**
 * `bento cleanup --older-than 24h --yes --json` removing every scope of a tree
 * whose scopes are all expired, against `rm -rf` of the same directories, on
 * two trees: the Pareto-sized one (~20 files per scope) and one of small scopes
 * (one upload each, ~6 files per scope: `PROFILES.small`, the generator `du`
 * shares), where per-scope costs are not hidden behind per-file ones. The tree is
 * restored from a pristine copy (`cp -a`, keeps the old mtimes) and `sync`ed before
 * every run; neither is timed. Without the `sync` the copy's dirty pages were billed
 * to whichever side first forced a journal commit: Bento, whose moves are fsynced
 * (crash safety), never `rm -rf`, which does not sync. On the small tree the plan alone (`--dry-run`, which
 * walks every scope and reads its activity file) is also timed against `du -sb`
 * of the same dirs.
 *
 * `BENCH_CLEANUP_TREES=small` (a comma list of `pareto`, `small`, `plan`; default all
 * three) runs only those parts: the small-scope removal at full scale takes minutes,
 * the Pareto tree at 10k scopes ~20 more.
 */
import path from 'node:path'
import fse from 'fs-extra'
import { generateDataDir, PROFILES } from '../gen/scopes.js'
import { runPairs } from '../lib/pairs.js'
import { runChecked } from '../lib/proc.js'
import { requireCli } from '../lib/library.js'
import { comparison } from '../lib/compare.js'
import { scopeDirArgs } from './du.js'

const PARTS = ['pareto', 'small', 'plan']

/** The parts `BENCH_CLEANUP_TREES` asks for (all when unset). */
const partsFromEnv = (value) => {
  if (!value) return PARTS
  const parts = value.split(',').map((part) => part.trim()).filter(Boolean)
  const unknown = parts.filter((part) => !PARTS.includes(part))
  if (unknown.length > 0 || parts.length === 0) throw new Error(`BENCH_CLEANUP_TREES="${value}": use a comma list of ${PARTS.join(', ')}`)
  return parts
}

const TREES = [
  { name: 'du', part: 'pareto', profile: PROFILES.du, shape: 'Pareto-sized', count: (scale) => scale.cleanup.scopes, label: '' },
  { name: 'small', part: 'small', profile: PROFILES.small, shape: 'small: one upload each', count: (scale) => scale.cleanup.smallScopes, label: ' (small scopes)' },
]

const generateExpired = ({ root, seed, count, profile, templatesDir }) =>
  generateDataDir({ root, seed, to: count, profile, expiredFraction: 1, sessionsOnly: true, templatesDir })

const measureRemoval = async ({ tree: spec, cli, scale, seed, workDir, templatesDir, log }) => {
  const count = spec.count(scale)
  const pristine = path.join(workDir, `pristine-${spec.name}`)
  const root = path.join(workDir, `data-${spec.name}`)
  log(`  generating ${count} expired scopes (${spec.name})…`)
  const tree = await generateExpired({ root: pristine, seed, count, profile: spec.profile, templatesDir })
  log(`  ${tree.scopes.length} scopes, ${tree.files} files`)
  const restore = async () => {
    await fse.remove(root)
    await runChecked('cp', ['-a', pristine, root])
    await runChecked('sync', [])
  }
  const bento = [cli, 'cleanup', '--older-than', '24h', '--yes', '--json', '--data-dir', root]
  const rmArgs = ['-rf', ...scopeDirArgs(tree.scopes)]

  await restore()
  const first = JSON.parse((await runChecked(process.execPath, bento, { capture: true })).stdout)
  if (first.removed.length !== count) throw new Error(`bento cleanup removed ${first.removed.length} scopes of ${count} expired`)
  const left = await fse.readdir(path.join(root, 'vectors', 'isolated'))
  if (left.length !== 0) throw new Error(`bento cleanup left ${left.length} scope dirs behind`)

  const pairs = await runPairs({
    // Each run needs a fresh copy of the tree (~1 GB at 10k Pareto scopes): fewer pairs, and the check above was the warm-up.
    pairs: scale.cleanup.pairs ?? scale.pairs,
    warmup: 0,
    log,
    prepare: restore,
    a: async () => (await runChecked(process.execPath, bento)).ms,
    b: async () => (await runChecked('rm', rmArgs, { cwd: root })).ms,
  })
  await fse.remove(root)
  await fse.remove(pristine)
  return {
    setup: `${count} session scopes (${spec.shape}), ${tree.files} files`,
    comparison: comparison({
      name: `cleanup, ${count / 1000}k expired scopes${spec.label}`,
      bento: 'node bin/bento.js cleanup --older-than 24h --yes --json --data-dir D',
      baseline: `rm -rf vectors/isolated/<dir> uploads/isolated/<dir> … (${rmArgs.length - 1} dirs)`,
      unit: 'ms',
      target: 1.5,
      pairs,
      note: `freed ${first.freedBytes} bytes`,
    }),
  }
}

/** The plan alone on small scopes: `--dry-run` walks and reads what `--yes` would, and changes nothing, so no copy is needed. */
const measurePlan = async ({ cli, scale, seed, workDir, templatesDir, log }) => {
  const count = scale.du.scopes
  const root = path.join(workDir, 'data-plan')
  log(`  generating ${count} expired small scopes (dry run)…`)
  const tree = await generateExpired({ root, seed, count, profile: PROFILES.small, templatesDir })
  const dirs = scopeDirArgs(tree.scopes)
  const duArgs = ['-sb', '--files0-from=-']
  const duInput = `${dirs.join('\0')}\0`
  const bento = [cli, 'cleanup', '--older-than', '24h', '--dry-run', '--json', '--data-dir', root]
  const first = JSON.parse((await runChecked(process.execPath, bento, { capture: true })).stdout)
  if (first.removed.length !== count) throw new Error(`bento cleanup --dry-run planned ${first.removed.length} scopes of ${count} expired`)
  const pairs = await runPairs({
    pairs: scale.pairs,
    log,
    a: async () => (await runChecked(process.execPath, bento)).ms,
    b: async () => (await runChecked('du', duArgs, { cwd: root, input: duInput })).ms,
  })
  const left = await fse.readdir(path.join(root, 'vectors', 'isolated'))
  if (left.length !== count) throw new Error(`bento cleanup --dry-run changed the tree: ${left.length} scope dirs of ${count}`)
  await fse.remove(root)
  return {
    setup: `dry run: ${count} expired small session scopes, ${tree.files} files`,
    comparison: comparison({
      name: `cleanup --dry-run, ${count / 1000}k expired scopes / ${Math.round(tree.files / 1000)}k files (small scopes)`,
      bento: 'node bin/bento.js cleanup --older-than 24h --dry-run --json --data-dir D',
      baseline: `du -sb --files0-from=- (the ${dirs.length} dirs vectors/isolated/<dir>, uploads/isolated/<dir> on stdin)`,
      unit: 'ms',
      target: 1.5,
      pairs,
      note: `plans ${first.removed.length} removals, ${first.freedBytes} bytes`,
    }),
  }
}

export const cleanupSuite = {
  id: 'cleanup',
  title: '`bento cleanup --yes` of expired scopes vs `rm -rf` of the same dirs; `cleanup --dry-run` vs `du -sb` on small scopes',
  async run(context) {
    const cli = requireCli()
    const parts = partsFromEnv(process.env.BENCH_CLEANUP_TREES)
    const results = []
    for (const tree of TREES) if (parts.includes(tree.part)) results.push(await measureRemoval({ ...context, tree, cli }))
    if (parts.includes('plan')) results.push(await measurePlan({ ...context, cli }))
    const only = parts.length === PARTS.length ? '' : ` (only ${parts.join(', ')}: BENCH_CLEANUP_TREES=${parts.join(',')}; unset runs pareto, small and plan)`
    return {
      setup: `${results.map((r) => r.setup).join('; ')}; all last active 3–60 days ago (activity.json and mtimes); trees restored with cp -a before each removal (untimed)${only}`,
      comparisons: results.map((r) => r.comparison),
    }
  },
}
