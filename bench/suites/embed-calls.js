/**
 * How many embeddings requests `bento add` makes through the OpenAI-compatible
 * embedder: 5,000 small files (one chunk each) added as a directory by the real
 * CLI (a child process) against a local stand-in for the API on 127.0.0.1 that
 * counts requests and answers deterministic vectors. Issue 18's target: at most
 * ⌈chunks / batch size⌉ calls (the default batch size, 64 inputs), where one
 * request per file made 5,000.
 */
import { createServer } from 'node:http'
import { createHash } from 'node:crypto'
import path from 'node:path'
import fse from 'fs-extra'
import { requireCli } from '../lib/library.js'
import { runChecked } from '../lib/proc.js'
import { figure } from '../lib/compare.js'

const DIMENSION = 8
/** The OpenAI-compatible embedder's default `batchSize` (src/core/embeddings/openai.ts). */
const BATCH_SIZE = 64

const vectorOf = (text) => {
  const digest = createHash('sha256').update(text).digest()
  return Array.from({ length: DIMENSION }, (_, i) => digest[i] / 255 - 0.5)
}

/** POST /v1/embeddings only: counts requests and inputs. */
const startFakeEmbeddings = async () => {
  const calls = []
  const server = createServer((req, res) => {
    const parts = []
    req.on('data', (part) => parts.push(part))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.writeHead(404).end()
        return
      }
      const { input } = JSON.parse(Buffer.concat(parts).toString('utf8'))
      calls.push(input.length)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ data: input.map((text, index) => ({ index, embedding: vectorOf(text) })) }))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/v1`, calls, close: () => new Promise((resolve) => server.close(resolve)) }
}

export const embedCallsSuite = {
  id: 'embed-calls',
  title: 'Embeddings requests of `bento add` of 5,000 small files through the OpenAI-compatible embedder',
  async run({ scale, workDir, log }) {
    const cli = requireCli()
    const { files } = scale.embedCalls
    const input = path.join(workDir, 'input')
    for (let i = 0; i < files; i += 500) {
      const names = Array.from({ length: Math.min(500, files - i) }, (_, j) => i + j)
      await Promise.all(names.map((n) => fse.outputFile(path.join(input, `note-${String(n).padStart(5, '0')}.txt`), `Note ${n} about harbour ${n % 97}.`)))
    }
    const fake = await startFakeEmbeddings()
    try {
      const env = {
        ...process.env, BENTO_EMBEDDER: 'openai', OPENROUTER_API_KEY: 'bench-key', BENTO_EMBEDDINGS_URL: fake.url,
        BENTO_EMBEDDINGS_MODEL: 'bench/embed-8', BENTO_EMBEDDINGS_DIMENSION: String(DIMENSION),
      }
      const { ms, stdout } = await runChecked(process.execPath, [cli, 'add', 'embed-bench', input, '--data-dir', path.join(workDir, 'data'), '--json'], { env, capture: true })
      const result = JSON.parse(stdout)
      const chunks = result.documents.reduce((sum, document) => sum + document.chunks, 0)
      if (result.documents.length !== files) throw new Error(`bento add stored ${result.documents.length} of ${files} files`)
      const bound = Math.ceil(chunks / BATCH_SIZE)
      const calls = fake.calls.length
      log(`  ${files} files, ${chunks} chunks: ${calls} embeddings requests (bound ⌈${chunks} / ${BATCH_SIZE}⌉ = ${bound}), ${(ms / 1000).toFixed(1)} s`)
      return {
        setup: `${files} one-line .txt files (one chunk each) added as one directory by \`bento add\` (child process) with BENTO_EMBEDDER=openai against a counting stand-in for the API on 127.0.0.1; batch size ${BATCH_SIZE} (the default)`,
        figures: [
          figure({
            name: `embeddings requests of bento add, ${files} small files ÷ ⌈chunks / batch size⌉`, value: calls / bound, unit: '×', better: 'lower', target: 1, command: 'npm run bench -- --only embed-calls',
            note: `${calls} requests for ${chunks} chunks (bound ${bound}; one request per file was ${files}); largest request ${Math.max(...fake.calls)} inputs; ${(ms / 1000).toFixed(1)} s for the whole command`,
          }),
        ],
      }
    } finally {
      await fake.close()
    }
  },
}
