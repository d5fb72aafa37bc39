/**
 * Does the server keep answering while hostile uploads are parsed? `/api/health`
 * latency, one request at a time, first idle and then while a second client
 * uploads issue 12's hostile files back to back (a DOCX within the caps that
 * mammoth parses for seconds, the 1.2 M-element DOCX bomb, the 200-page shared
 * stream PDF, JSON and HTML nested past their budgets). Same server, same run;
 * the figure is p99 under attack ÷ p99 idle. The files are generated from
 * test/helpers/hostile-files.ts (transpiled here with esbuild), never committed.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { transform } from 'esbuild'
import { figure } from '../lib/compare.js'
import { repoRoot, requireDist } from '../lib/library.js'
import { startServer } from '../lib/server-proc.js'

const COMMAND = 'npm run bench -- --only hostile'

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

const loadHostileFiles = async (workDir) => {
  const source = await readFile(path.join(repoRoot, 'test', 'helpers', 'hostile-files.ts'), 'utf8')
  const { code } = await transform(source, { loader: 'ts', format: 'esm' })
  const file = path.join(workDir, 'hostile-files.mjs')
  await writeFile(file, code)
  return import(pathToFileURL(file).href)
}

/** At least `count` sequential GET /api/health (and until `more()` is false), each timed; sorted latencies in ms. */
const healthLatencies = async (url, count, more = () => false) => {
  const times = []
  for (let i = 0; i < count || more(); i++) {
    const started = performance.now()
    const response = await fetch(`${url}/api/health`)
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`/api/health answered ${response.status}`)
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)
}

const upload = async (url, name, bytes) => {
  const form = new FormData()
  form.append('file', new Blob([bytes]), name)
  const response = await fetch(`${url}/api/documents/upload`, { method: 'POST', headers: { 'x-isolation-key': 'attacker' }, body: form })
  await response.arrayBuffer()
  return response.status
}

export const hostileSuite = {
  id: 'hostile',
  title: 'Health latency while hostile uploads are parsed',
  async run({ scale, workDir, log }) {
    await requireDist('index.js', ['createBentoServer'])
    const samples = scale.name === 'small' ? 300 : 1000
    const hostile = await loadHostileFiles(workDir)
    const files = [
      ['heavy.docx', hostile.makeDocxOfParagraphs(300_000, '<w:p><w:r><w:t>a</w:t></w:r></w:p>')],
      ['bomb.docx', hostile.makeDocxOfParagraphs(1_200_000)],
      ['shared.pdf', hostile.makeSharedStreamPdf(200, 10 * 1024 * 1024)],
      ['deep.json', new TextEncoder().encode(hostile.makeDeepJson(3000, `[${'1,'.repeat(80_000)}1]`))],
      ['deep.html', new TextEncoder().encode(hostile.makeDeepHtml(300_000))],
    ]
    const server = await startServer('bento-server.js', JSON.stringify({ dataDir: path.join(workDir, 'data'), isolation: 'custom' }))
    try {
      await healthLatencies(server.url, 50) // warm-up
      const idle = await healthLatencies(server.url, samples)
      let attacking = true
      const statuses = {}
      let uploads = 0
      const attacker = (async () => {
        for (let i = 0; attacking; i++) {
          const [name, bytes] = files[i % files.length]
          const status = await upload(server.url, name, bytes)
          statuses[`${name} ${status}`] = (statuses[`${name} ${status}`] ?? 0) + 1
          uploads++
        }
      })()
      // Let the first (slowest) parse start before sampling.
      await new Promise((resolve) => setTimeout(resolve, 200))
      // Sampled until every hostile file has been uploaded at least once.
      const attacked = await healthLatencies(server.url, samples, () => uploads < files.length)
      attacking = false
      await attacker
      const p99Idle = quantile(idle, 0.99)
      const p99Attacked = quantile(attacked, 0.99)
      const outcomes = Object.entries(statuses).map(([what, n]) => `${what}: ${n}`).join(', ')
      log(`  /api/health p99 idle ${p99Idle.toFixed(2)} ms, during ${uploads} hostile uploads ${p99Attacked.toFixed(2)} ms (${outcomes})`)
      return {
        setup: `${samples} sequential GET /api/health idle, then at least ${samples} (${attacked.length}) while another client uploads hostile files back to back (${uploads} uploads: ${outcomes}); one server, extraction in its worker pool`,
        figures: [
          figure({
            name: '/api/health p99 while hostile uploads are parsed ÷ p99 idle',
            value: p99Attacked / p99Idle,
            unit: '×',
            better: 'lower',
            command: COMMAND,
            note: `p99 idle ${p99Idle.toFixed(2)} ms, attacked ${p99Attacked.toFixed(2)} ms; p50 ${quantile(idle, 0.5).toFixed(2)} → ${quantile(attacked, 0.5).toFixed(2)} ms; max attacked ${attacked.at(-1).toFixed(1)} ms`,
          }),
          figure({ name: '/api/health p99 while hostile uploads are parsed', value: p99Attacked, unit: 'ms', better: 'lower', command: COMMAND, note: `idle p99 ${p99Idle.toFixed(2)} ms in the same run` }),
        ],
      }
    } finally {
      await server.stop()
    }
  },
}
