/**
 * What one upload's commit costs against the size of the scope it goes into
 * (extraction and embedding excluded: the chunks and vectors are ready). Each
 * size is a store of N chunks (384 dimensions, 400-byte texts, lexical index
 * included); one "upload" is 20 chunks of a new document, committed with
 * `store.add`. Two ways, alternating in one run:
 * - after: the commit log (the default): an append to bento-log.bin and a new manifest;
 * - before: `appendLog: false`, the base files rewritten at every commit (the old behaviour).
 * The ratio target: an upload into 100k chunks ≤ 1.5× the same upload into an empty scope
 * (a new store: its first commit writes its base files). Small scale stops at 5k.
 */
import path from 'node:path'
import fse from 'fs-extra'
import { requireDist } from '../lib/library.js'
import { createRng, seedFor } from '../lib/rng.js'
import { runPairs, timeMs } from '../lib/pairs.js'
import { comparison, figure } from '../lib/compare.js'
import { summarize } from '../lib/stats.js'

const DIMENSION = 384
const UPLOAD_CHUNKS = 20
const WORDS = ['store', 'vector', 'index', 'scope', 'commit', 'upload', 'tenant', 'session', 'refund', 'invoice', 'policy', 'shipping', 'report', 'quarter', 'budget', 'review']

export const commitSuite = {
  id: 'commit',
  title: 'Commit cost of one upload against the scope size: commit log vs full rewrite',
  async run({ scale, seed, workDir, log }) {
    const { openStore } = await requireDist('core/store/index.js', ['openStore'])
    const sizes = scale.name === 'small' ? [0, 1_000, 5_000] : [0, 1_000, 10_000, 100_000]
    const pairs = scale.name === 'small' ? 3 : 5
    const rng = createRng(seedFor(seed, 'commit'))
    const vector = () => {
      const v = new Float32Array(DIMENSION)
      for (let i = 0; i < DIMENSION; i++) v[i] = rng.next() * 2 - 1
      return v
    }
    const text = () => Array.from({ length: 60 }, () => WORDS[Math.floor(rng.next() * WORDS.length)]).join(' ')
    let documents = 0
    const upload = () => {
      const id = `doc-${documents++}`
      return Array.from({ length: UPLOAD_CHUNKS }, (_, i) => ({ documentId: id, title: id, text: text(), chunkIndex: i, vector: vector() }))
    }
    // efConstruction 64 builds the 100k store in minutes instead of tens of minutes; the commit being measured does not depend on it.
    const options = (dir, appendLog) => ({ dir, dimension: DIMENSION, embedderId: 'bench:384', efConstruction: 64, appendLog })
    const build = async (dir, size) => {
      const store = await openStore(options(dir, false))
      for (let done = 0; done < size; done += 2_000) {
        const n = Math.min(2_000, size - done)
        const batch = []
        while (batch.length < n) batch.push(...upload().slice(0, n - batch.length))
        await store.add(batch)
      }
      await store.close()
    }

    const curve = { before: [], after: [] }
    const comparisons = []
    let fresh = 0
    // Into an empty scope: a new store each time (its first commit writes the base files either way).
    const intoEmpty = async () => {
      const store = await openStore(options(path.join(workDir, `empty-${fresh++}`), true))
      const chunks = upload()
      const ms = await timeMs(() => store.add(chunks))
      await store.close()
      return ms
    }
    for (const size of sizes.filter((n) => n > 0)) {
      const base = path.join(workDir, `base-${size}`)
      log(`  building a store of ${size} chunks…`)
      await build(base, size)
      for (const mode of ['after', 'before']) {
        const dir = path.join(workDir, `${mode}-${size}`)
        await fse.copy(base, dir)
        const store = await openStore(options(dir, mode === 'after'))
        // One unmeasured commit first: the log's first append creates its file.
        await store.add(upload())
        const result = await runPairs({
          pairs, warmup: 0, log, alternate: true,
          a: async () => {
            const chunks = upload()
            return timeMs(() => store.add(chunks))
          },
          b: intoEmpty,
        })
        await store.close()
        await fse.remove(dir)
        curve[mode].push({ size, ms: result.bento.median, ratio: result.ratio.median })
        if (size === sizes[sizes.length - 1]) {
          comparisons.push(comparison({
            name: `commit of one upload (${UPLOAD_CHUNKS} chunks) into ${size / 1000}k chunks vs into an empty scope, ${mode === 'after' ? 'commit log' : 'full rewrite (appendLog: false)'}`,
            bento: `store.add(${UPLOAD_CHUNKS} chunks) into ${size} chunks`, baseline: `the same into a new store`, unit: 'ms',
            target: mode === 'after' ? 1.5 : undefined, pairs: result,
          }))
        }
      }
      await fse.remove(base)
    }
    const emptyMs = summarize(await Promise.all([0, 1, 2].map(() => intoEmpty()))).median
    const line = (mode) => [`0: ${emptyMs.toFixed(0)} ms`, ...curve[mode].map((p) => `${p.size / 1000}k: ${p.ms.toFixed(0)} ms (${p.ratio.toFixed(2)}×)`)].join(', ')
    log(`  after (commit log): ${line('after')}`)
    log(`  before (rewrite):   ${line('before')}`)
    return {
      setup: `stores of ${sizes.filter((n) => n > 0).join(', ')} chunks (${DIMENSION} dims, 400-byte texts, lexical index); one upload = ${UPLOAD_CHUNKS} new chunks committed with store.add, vectors ready`,
      comparisons,
      figures: [
        figure({ name: 'commit cost against scope size, commit log (after)', value: curve.after.at(-1)?.ratio ?? NaN, unit: '× empty', better: 'lower', target: 1.5, command: 'npm run bench -- --only commit', note: line('after') }),
        figure({ name: 'commit cost against scope size, full rewrite (before)', value: curve.before.at(-1)?.ratio ?? NaN, unit: '× empty', better: 'lower', command: 'npm run bench -- --only commit', note: line('before') }),
      ],
    }
  },
}
