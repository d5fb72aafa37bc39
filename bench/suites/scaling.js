/**
 * How `bento du`, `bento cleanup --dry-run` and `bento ls` grow with the number
 * of scopes (1k → 10k → 100k), beside GNU `du -sb` over the same dirs. One tree
 * is grown in place (scope i is the same at every size), half of it expired.
 * Linear means a log-log slope near 1 and a per-scope cost that stays put.
 */
import path from 'node:path'
import { generateDataDir, PROFILES } from '../gen/scopes.js'
import { runChecked } from '../lib/proc.js'
import { requireCli } from '../lib/library.js'
import { growthExponent, median } from '../lib/stats.js'
import { scopeDirArgs } from './du.js'

export const scalingSuite = {
  id: 'scaling',
  title: 'Scaling of du, cleanup --dry-run and ls from 1k to 100k scopes',
  async run({ scale, seed, workDir, templatesDir, log }) {
    const cli = requireCli()
    const root = path.join(workDir, 'data')
    const commands = {
      'bento du --json': [process.execPath, [cli, 'du', '--json', '--data-dir', root]],
      'bento cleanup --dry-run --json': [process.execPath, [cli, 'cleanup', '--older-than', '24h', '--dry-run', '--json', '--data-dir', root]],
      'bento ls --json': [process.execPath, [cli, 'ls', '--json', '--data-dir', root]],
    }
    const series = Object.fromEntries([...Object.keys(commands), 'du -sb (baseline)'].map((name) => [name, []]))
    const allScopes = []
    let files = 0
    let made = 0
    for (const count of scale.scaling.counts) {
      log(`  growing the tree to ${count} scopes…`)
      const grown = await generateDataDir({ root, seed, from: made, to: count, profile: PROFILES.scaling, expiredFraction: 0.5, templatesDir })
      made = count
      allScopes.push(...grown.scopes)
      files += grown.files
      const dirs = scopeDirArgs(allScopes)
      const duInput = `${dirs.join('\0')}\0`
      const du = JSON.parse((await runChecked(...commands['bento du --json'], { capture: true })).stdout)
      if (du.scopeCount !== count) throw new Error(`bento du saw ${du.scopeCount} scopes of ${count}`)
      const times = Object.fromEntries(Object.keys(series).map((name) => [name, []]))
      for (let r = 0; r < scale.scaling.repeats; r++) {
        for (const [name, [command, args]] of Object.entries(commands)) times[name].push((await runChecked(command, args)).ms)
        times['du -sb (baseline)'].push((await runChecked('du', ['-sb', '--files0-from=-'], { cwd: root, input: duInput })).ms)
      }
      for (const [name, values] of Object.entries(times)) series[name].push([count, median(values)])
      log(`  ${count} scopes / ${files} files: ${Object.entries(times).map(([name, v]) => `${name.split(' ').slice(0, 2).join(' ')} ${median(v).toFixed(0)} ms`).join(', ')}`)
    }
    const growth = Object.fromEntries(
      Object.entries(series).map(([name, points]) => {
        const [n, ms] = points.at(-1)
        return [name, { exponent: growthExponent(points.map(([x]) => x), points.map(([, y]) => y)), usPerScopeAtMax: (ms * 1000) / n }]
      }),
    )
    return {
      setup: `one tree grown in place to ${scale.scaling.counts.join(' → ')} scopes (Pareto-sized, ~7 files per scope, half expired); median of ${scale.scaling.repeats} runs per point; each command is a child process`,
      series,
      growth,
    }
  },
}
