/**
 * `bento cleanup --older-than 24h --yes --json` removing every scope of a tree
 * whose scopes are all expired, against `rm -rf` of the same directories. The
 * tree is restored from a pristine copy (`cp -a`, keeps the old mtimes) before
 * every run; the copy is not timed.
 */
import path from 'node:path'
import fse from 'fs-extra'
import { generateDataDir, PROFILES } from '../gen/scopes.js'
import { runPairs } from '../lib/pairs.js'
import { runChecked } from '../lib/proc.js'
import { requireCli } from '../lib/library.js'
import { comparison } from '../lib/compare.js'
import { scopeDirArgs } from './du.js'

export const cleanupSuite = {
  id: 'cleanup',
  title: '`bento cleanup --yes` of expired scopes vs `rm -rf` of the same dirs',
  async run({ scale, seed, workDir, templatesDir, log }) {
    const cli = requireCli()
    const pristine = path.join(workDir, 'pristine')
    const root = path.join(workDir, 'data')
    const count = scale.cleanup.scopes
    log(`  generating ${count} expired scopes…`)
    const tree = await generateDataDir({ root: pristine, seed, to: count, profile: PROFILES.du, expiredFraction: 1, sessionsOnly: true, templatesDir })
    log(`  ${tree.scopes.length} scopes, ${tree.files} files`)
    const restore = async () => {
      await fse.remove(root)
      await runChecked('cp', ['-a', pristine, root])
    }
    const bento = [cli, 'cleanup', '--older-than', '24h', '--yes', '--json', '--data-dir', root]
    const rmArgs = ['-rf', ...scopeDirArgs(tree.scopes)]

    await restore()
    const first = JSON.parse((await runChecked(process.execPath, bento, { capture: true })).stdout)
    if (first.removed.length !== count) throw new Error(`bento cleanup removed ${first.removed.length} scopes of ${count} expired`)
    const left = await fse.readdir(path.join(root, 'vectors', 'isolated'))
    if (left.length !== 0) throw new Error(`bento cleanup left ${left.length} scope dirs behind`)

    const pairs = await runPairs({
      // Each run needs a fresh copy of the tree (~1 GB at 10k scopes): fewer pairs, and the check above was the warm-up.
      pairs: scale.cleanup.pairs ?? scale.pairs,
      warmup: 0,
      log,
      prepare: restore,
      a: async () => (await runChecked(process.execPath, bento)).ms,
      b: async () => (await runChecked('rm', rmArgs, { cwd: root })).ms,
    })
    await fse.remove(root)
    return {
      setup: `${count} session scopes (what cleanup removes by default), all last active 3–60 days ago (activity.json and mtimes), ${tree.files} files; tree restored with cp -a before each run (untimed)`,
      comparisons: [
        comparison({
          name: `cleanup, ${count / 1000}k expired scopes`,
          bento: 'node bin/bento.js cleanup --older-than 24h --yes --json --data-dir D',
          baseline: `rm -rf vectors/isolated/<dir> uploads/isolated/<dir> … (${rmArgs.length - 1} dirs)`,
          unit: 'ms',
          target: 1.5,
          pairs,
          note: `freed ${first.freedBytes} bytes`,
        }),
      ],
    }
  },
}
