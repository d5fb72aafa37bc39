#!/usr/bin/env node
// Runs the reliability stress suites (`npm run test:stress -- test/reliability`)
// and the bad-input table (`test/reliability/bad-input.test.ts`)
// with BENTO_RELIABILITY_OUT set, so each suite records what it tried and what
// held, then writes the figures table into docs/RELIABILITY.md between the
// `<!-- figures -->` markers. Figures are kept in scripts/reliability-report.json,
// so a run of some suites updates their rows and keeps the others'.
// Usage: node scripts/reliability-report.mjs [test/reliability/<suite>.stress.test.ts …]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = mkdtempSync(path.join(os.tmpdir(), 'bento-reliability-'))
const started = Date.now()
const env = { ...process.env, BENTO_RELIABILITY_OUT: out }
const only = process.argv.slice(2)
const stressFiles = only.filter((file) => file.endsWith('.stress.test.ts'))
const runBadInput = only.length === 0 || only.some((file) => file.endsWith('bad-input.test.ts'))
const run = only.length === 0 || stressFiles.length > 0
  ? spawnSync('npm', ['run', 'test:stress', '--', ...(stressFiles.length > 0 ? stressFiles : ['test/reliability'])], { cwd: repo, stdio: 'inherit', env })
  : { status: 0 }
// The bad-input table is fast and lives in the unit set; its rows are part of the report too.
const badInputRun = runBadInput
  ? spawnSync('npx', ['vitest', 'run', '--project', 'unit', 'test/reliability/bad-input.test.ts'], { cwd: repo, stdio: 'inherit', env })
  : { status: 0 }
const minutes = ((Date.now() - started) / 60_000).toFixed(1)

const store = path.join(repo, 'scripts', 'reliability-report.json')
const kept = existsSync(store) ? JSON.parse(readFileSync(store, 'utf8')) : { suites: {} }
const fresh = Object.fromEntries(readdirSync(out).map((name) => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(out, name), 'utf8'))]))
rmSync(out, { recursive: true, force: true })
for (const figures of Object.values(fresh)) figures.runMinutes = Number(minutes)
const figures = { ...kept.suites, ...fresh }
writeFileSync(store, `${JSON.stringify({ suites: figures }, null, 2)}\n`)
const f = (name) => figures[name]
const n = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : '—')
const file = (name) => `\`test/reliability/${name}\``
const rows = []
const row = (what, source, tried, held) => rows.push(`| ${what} | ${source} | ${tried} | ${held} |`)

if (f('hostile-keys')) {
  const h = f('hostile-keys')
  row('1. Hostile keys', file('hostile-keys.stress.test.ts'),
    `${n(h.keys)} generated keys × every entry point = ${n(h.attempts)} attempts (key module ${n(h.module)}, CLI ${n(h.cli)}, HTTP ${n(h.http)}, raw socket ${n(h.raw)})`,
    `sentinel byte-identical; ${n(h.strayEntries)} entries created outside the data root or off its layout; no 5xx, no stack trace, no exit 1; ${n(h.accepted)} valid-but-odd keys/names served inside the root`)
}
if (f('symlinks')) {
  const s = f('symlinks')
  row('2. Symlinks (planted, and swapped in at each fs call)', file('symlinks.stress.test.ts'),
    `${n(s.cases)} runs of cleanup, migrate (rename, merge), du, inspect --verify; fs calls per op: ${Object.entries(s.callCounts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `0 writes, moves or deletes through a link; sentinel byte-identical in every run; planted links never read through. Swapped mid-operation: ${n(s.racedReads)} runs read metadata through the link, ${n(s.leakedResults)} reported an outside size (see "Known limits")`)
}
if (f('crash-sweep')) {
  const c = f('crash-sweep')
  row('3a. SIGKILL (random fs call + every named step)', file('crash-sweep.stress.test.ts'),
    `${n(c.cases)} kills requested (${n(c.killed)} landed mid-operation, ${n(c.finished)} after it) across ${Object.entries(c.byOp).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `every store loads; ${n(c.verified)} \`inspect --verify\` runs pass; no journal entry left; no acknowledged document lost or doubled; ${n(c.orphans)} unacknowledged upload orphans (named by inspect, repaired by the retry); ${n(c.journalTemps)} stray journal temp files`)
}
if (f('io-faults')) {
  const io = f('io-faults')
  row('3b. ENOSPC / EIO / EACCES at each fs call', file('io-faults.stress.test.ts'),
    `${n(io.cases)} faults (${Object.entries(io.byErrno).map(([k, v]) => `${k} ${n(v)}`).join(', ')}) over ${Object.entries(io.calls).map(([k, v]) => `${k} ${v}`).join(', ')} fs calls`,
    `${n(io.failedTyped)} typed errors, ${n(io.succeeded)} absorbed (fault on a best-effort call); nothing half-written: next command completes or rolls back, inspect --verify passes; ${n(io.orphans)} unacknowledged upload orphans; ${n(io.journalTemps)} stray journal temp files`)
}
if (f('concurrency')) {
  const c = f('concurrency')
  row('4. Server load + CLI migrate/cleanup on one data dir', file('concurrency.stress.test.ts'),
    `${n(c.requests)} requests while ${n(c.cliRuns)} CLI runs (${Object.entries(c.cliCodes).map(([k, v]) => `exit ${k}: ${v}`).join(', ')}) migrated ${n(c.migrated)} and cleaned ${n(c.cleaned)} scopes; a CLI SIGKILLed holding locks mid-migrate`,
    `every request answered: ${n(c.ok)} 2xx, ${n(c.busy503)} 503 all with Retry-After, ${n(c.errors)} errors; no active scope deleted, every acknowledged upload present; every store passes inspect --verify; killed CLI's locks recovered and its migrate completed by the next command after ${n(c.lockRecoveryMs)} ms`)
}
if (f('isolation')) {
  const i = f('isolation')
  row('5. Isolation', file('isolation.stress.test.ts'),
    `${n(i.users)} users, ${n(i.requests)} mixed HTTP requests (${Object.entries(i.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `${n(i.leaks)} responses with another scope's data; other scopes' conversation ids 404; client key on admin routes 403; statuses ${Object.entries(i.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')}`)
}
if (f('bad-input')) {
  const b = f('bad-input')
  row('6. Bad input', file('bad-input.test.ts'),
    `${n(b.rows)} bad inputs (${n(b.http)} HTTP, ${n(b.cli)} CLI incl. corrupt, truncated and crafted index files, a disagreeing manifest, missing files)`,
    'each answered with its documented status or exit code; data dir byte-identical after each; server alive; table below')
}
if (f('load')) {
  const l = f('load')
  row('7. Load', file('load.stress.test.ts'),
    `${n(l.durationS)} s, ${n(l.connections)} connections, ${n(l.users)} users, pool cap ${n(l.pool)}: ${n(l.requests)} requests (${n(l.rps)}/s)`,
    `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms; ${n(l.status5xx)} 5xx, ${n(l.errors)} errors, ${n(l.timeouts)} timeouts; RSS ${l.rssStartMb} MB at start, ${l.rssWarmMaxMb} MB max in s 10–30, ${l.rssLateMaxMb} MB max in the last 20 s`)
}

const badInput = f('bad-input')?.results ?? []
const table = [
  `Produced by \`node scripts/reliability-report.mjs\` (runs \`npm run test:stress -- test/reliability\` and the bad-input table; figures kept in \`scripts/reliability-report.json\`) on ${os.cpus().length} cores; this run: ${only.length > 0 ? only.join(' ') : 'every suite'}, ${minutes} min. Each suite's time is in the JSON (\`at\`, \`runMinutes\`).`,
  '',
  '| What was tried | Command (suite) | How many times | What held |',
  '| --- | --- | --- | --- |',
  ...rows,
  '',
  '<details><summary>Bad-input table (expected → got)</summary>',
  '',
  '| Input | Expected | Got |',
  '| --- | --- | --- |',
  ...badInput.map((r) => `| ${r.name.replaceAll('|', '\\|')} | ${r.expected} | ${r.got} |`),
  '',
  '</details>',
].join('\n')

const docPath = path.join(repo, 'docs', 'RELIABILITY.md')
const doc = readFileSync(docPath, 'utf8')
const updated = doc.replace(/<!-- figures -->[\s\S]*<!-- \/figures -->/, `<!-- figures -->\n${table}\n<!-- /figures -->`)
writeFileSync(docPath, updated)
console.log(`docs/RELIABILITY.md updated from ${Object.keys(figures).length} suites (${minutes} min, exit ${run.status}).`)
process.exitCode = (run.status ?? 1) || (badInputRun.status ?? 1)
