/**
 * The CLI's cold start: each command run as a user runs it (a new node process,
 * piped output) against `node -e 0` alternating in the same run, so the ratio is
 * what Bento adds to node's own start. `--help` loads only the command
 * definitions; `ls` on an empty data dir adds the fs backend; `du` and `search`
 * on a small data dir read manifests and (search) load the store. CPU time of
 * each child (Linux: the parent's reaped-children counters) is reported beside
 * wall time: on a shared machine it moves far less with the load.
 */
import path from 'node:path'
import { readFileSync } from 'node:fs'
import fse from 'fs-extra'
import { generateText } from '../gen/text.js'
import { requireCli } from '../lib/library.js'
import { runChecked } from '../lib/proc.js'
import { runPairs } from '../lib/pairs.js'
import { comparison } from '../lib/compare.js'

const TICK_MS = 10

/** CPU milliseconds of this process's reaped children so far (fields cutime and cstime of /proc/self/stat), or undefined off Linux. */
const childCpuMs = () => {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS
  } catch {
    return undefined
  }
}

const timed = async (args, env) => {
  const cpu0 = childCpuMs()
  const { ms } = await runChecked(process.execPath, args, { env })
  const cpu1 = childCpuMs()
  return cpu0 === undefined || cpu1 === undefined ? ms : { value: ms, cpu: cpu1 - cpu0 }
}

export const cliStartupSuite = {
  id: 'cli-startup',
  title: 'CLI start-up: `bento --help`, `ls`, `du` and `search` vs bare `node -e 0` (whole process)',
  async run({ scale, seed, workDir, log }) {
    const cli = requireCli()
    const { pairs } = scale.cliStartup
    // A clean environment: no embedder or database variables from the shell choose another path.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' }
    const emptyDir = path.join(workDir, 'empty')
    const dataDir = path.join(workDir, 'data')
    await fse.ensureDir(emptyDir)
    const filesDir = path.join(workDir, 'files')
    const files = []
    for (let i = 0; i < 4; i++) {
      const file = path.join(filesDir, `note-${i}.txt`)
      await fse.outputFile(file, generateText(seed, `startup-${i}`, 3000))
      files.push(file)
    }
    for (const key of ['user-1', 'user-2', 'shared']) await runChecked(process.execPath, [cli, 'add', key, ...files, '--data-dir', dataDir], { env })

    const cases = [
      { name: '--help', args: ['--help'] },
      { name: 'ls (empty data dir)', args: ['ls', '--data-dir', emptyDir] },
      { name: 'du (3 small scopes)', args: ['du', '--data-dir', dataDir] },
      { name: 'search (a 12-chunk scope)', args: ['search', 'user-1', 'notes about planning', '--data-dir', dataDir] },
    ]
    const comparisons = []
    for (const { name, args } of cases) {
      log(`  bento ${name}`)
      const result = await runPairs({ pairs, warmup: 1, alternate: true, log, a: () => timed([cli, ...args], env), b: () => timed(['-e', '0'], env) })
      comparisons.push(comparison({
        name: `bento ${name} vs node -e 0`,
        bento: `bento ${args.map((arg) => (arg.startsWith(workDir) ? '<dir>' : arg)).join(' ')}`,
        baseline: 'node -e 0', unit: 'ms', pairs: result,
        note: 'whole process, spawn to exit; the CPU ratio counts user + system time of each child',
      }))
    }
    return {
      setup: `each side a new node process, piped, alternating (B A on odd pairs); data dir: 3 scopes of 4 small text files (about 12 chunks each) added with bento add`,
      comparisons,
    }
  },
}
