#!/usr/bin/env node
/**
 * `npm run bench`: builds (via the npm script), then runs every benchmark, Bento
 * and its baseline alternating in this one process, writes the results to
 * bench/out/results-<date>.json and regenerates docs/BENCHMARKS.md,
 * docs/bench/*.svg and bench/README-table.md from them.
 *
 *   npm run bench                         # full scale (the published figures)
 *   BENCH_SCALE=small npm run bench       # quick, while developing
 *   npm run bench -- --only du,search     # some benchmarks
 *   npm run bench -- --only quality --data <BEIR dir>[,<dir>…]   # retrieval quality
 *   node bench/run.js --render bench/out/results-….json   # docs only, from a results file
 */
import path from 'node:path'
import fse from 'fs-extra'
import { parseArgs } from 'node:util'
import { describeMachine } from './lib/machine.js'
import { resolveScale } from './lib/scale.js'
import { repoRoot, SkipError } from './lib/library.js'
import { SUITES } from './suites/index.js'
import { renderReports } from './report/render.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    scale: { type: 'string' },
    seed: { type: 'string' },
    render: { type: 'string' },
    'no-docs': { type: 'boolean' },
    list: { type: 'boolean' },
    data: { type: 'string' },
  },
})

const outDir = path.join(repoRoot, 'bench', 'out')
const dataRoot = path.join(repoRoot, 'bench', '.data')
const log = (message) => process.stderr.write(`${message}\n`)

if (values.list) {
  for (const suite of SUITES) console.log(`${suite.id.padEnd(10)} ${suite.title}`)
  process.exit(0)
}

if (values.render) {
  const results = await fse.readJson(values.render)
  await renderReports(results, { repoRoot, log })
  process.exit(0)
}

const scale = resolveScale(values.scale ?? process.env.BENCH_SCALE ?? 'full')
const seed = Number(values.seed ?? process.env.BENCH_SEED ?? 20_251_125)
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean)
const unknown = (only ?? []).filter((id) => !SUITES.some((suite) => suite.id === id))
if (unknown.length > 0) {
  log(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${SUITES.map((s) => s.id).join(', ')}`)
  process.exit(2)
}
const selected = SUITES.filter((suite) => !only || only.includes(suite.id))

const startedAt = new Date()
const results = {
  startedAt: startedAt.toISOString(),
  scale: scale.name,
  seed,
  machine: describeMachine(),
  command: `${scale.name === 'full' ? '' : `BENCH_SCALE=${scale.name} `}npm run bench${only ? ` -- --only ${only.join(',')}` : ''}${values.data ? `${only ? '' : ' --'} --data ${values.data}` : ''}`,
  suites: [],
}

log(`Bento benchmarks, scale ${scale.name}, seed ${seed}: ${selected.map((s) => s.id).join(', ')}`)
log(`Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, node ${results.machine.node}, load ${results.machine.loadAvg.join(' ')}`)
// Ctrl+C: generated trees can be gigabytes; never leave them behind.
process.once('SIGINT', () => {
  log('\nInterrupted: removing bench/.data …')
  fse.removeSync(dataRoot)
  process.exit(130)
})
await fse.ensureDir(dataRoot)
const templatesDir = path.join(dataRoot, 'templates')
await fse.emptyDir(templatesDir)

for (const suite of selected) {
  const workDir = path.join(dataRoot, suite.id)
  await fse.emptyDir(workDir)
  log(`\n▶ ${suite.id}: ${suite.title}`)
  const t0 = Date.now()
  let entry
  try {
    const body = await suite.run({ scale, seed, workDir, templatesDir, log, repoRoot, data: values.data })
    entry = { id: suite.id, title: suite.title, status: 'ok', ...body }
  } catch (error) {
    if (error instanceof SkipError) {
      log(`  skipped: ${error.message}`)
      entry = { id: suite.id, title: suite.title, status: 'skipped', reason: error.message }
    } else {
      log(`  FAILED: ${error.stack ?? error}`)
      entry = { id: suite.id, title: suite.title, status: 'failed', reason: String(error.message ?? error).slice(0, 2000) }
    }
  } finally {
    // Generated data is large (up to ~1 GB per tree): never left behind.
    await fse.remove(workDir).catch((error) => log(`  could not remove ${workDir}: ${error.message}`))
  }
  entry.seconds = Math.round((Date.now() - t0) / 100) / 10
  log(`  done in ${entry.seconds} s`)
  results.suites.push(entry)
}
await fse.remove(templatesDir)
results.finishedAt = new Date().toISOString()

// With --only, keep the other benchmarks' latest figures of the same scale, so the docs stay whole.
if (only) {
  const previous = await latestResults(scale.name)
  if (previous) {
    const fresh = new Set(results.suites.map((s) => s.id))
    // Each kept figure remembers the run that produced it (its own command and time), not a chain of merges.
    const kept = previous.suites
      .filter((s) => !fresh.has(s.id))
      .map((s) => ({ ...s, from: s.from ?? previous.startedAt, fromCommand: s.fromCommand ?? previous.command }))
    results.suites = SUITES.map((suite) => results.suites.find((s) => s.id === suite.id) ?? kept.find((s) => s.id === suite.id)).filter(Boolean)
    const earlier = new Map(kept.map((s) => [`${s.fromCommand}@${s.from}`, { command: s.fromCommand, at: s.from, ids: [] }]))
    for (const s of kept) earlier.get(`${s.fromCommand}@${s.from}`).ids.push(s.id)
    results.earlierRuns = [...earlier.values()]
  }
}

await fse.ensureDir(outDir)
const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
const file = path.join(outDir, `results-${stamp}.json`)
await fse.writeJson(file, results, { spaces: 2 })
log(`\nResults: ${path.relative(repoRoot, file)}`)
if (!values['no-docs']) await renderReports(results, { repoRoot, log })

async function latestResults(scaleName) {
  if (!(await fse.pathExists(outDir))) return undefined
  const files = (await fse.readdir(outDir)).filter((name) => /^results-.*\.json$/.test(name)).sort().reverse()
  for (const name of files) {
    const data = await fse.readJson(path.join(outDir, name)).catch(() => undefined)
    if (data?.scale === scaleName) return data
  }
  return undefined
}
