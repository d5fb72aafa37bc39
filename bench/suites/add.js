/**
 * The whole `bento add` command, as a user runs it (a real child process: start-up,
 * extraction, the local embedder, the commit): one small new file into a scope of
 * ~60k chunks against the same into an empty scope, alternating in one run.
 * Target ≤ 1.5× (issue 18): an append needs the scope's documents, not its store.
 * The large scope is written through Bento's store API (vectors of the local
 * embedder's dimension, 1,000-byte chunk texts as `bento add` makes, 100 chunks
 * per document), one commit, so its base files are what a compaction leaves.
 */
import path from 'node:path'
import fse from 'fs-extra'
import { generateText } from '../gen/text.js'
import { generateVectors } from '../gen/vectors.js'
import { LOCAL_EMBEDDER_ID, loadStoreModule } from '../gen/store.js'
import { requireCli, requireDist } from '../lib/library.js'
import { runChecked } from '../lib/proc.js'
import { runPairs } from '../lib/pairs.js'
import { comparison } from '../lib/compare.js'

const DIMENSION = 384
const PER_DOCUMENT = 100
const TEXT_BYTES = 1000

export const addSuite = {
  id: 'add',
  title: '`bento add` of one small file into a scope of ~60k chunks vs into an empty scope (whole command)',
  async run({ scale, seed, workDir, log }) {
    const cli = requireCli()
    const { openStore } = await loadStoreModule()
    const { createLayout } = await requireDist('core/layout.js', ['createLayout'])
    const { customScope } = await requireDist('core/keys.js', ['customScope'])
    const { chunks: size, pairs } = scale.add
    const dataDir = path.join(workDir, 'data')
    const layout = createLayout(dataDir)
    const big = customScope('big-scope')

    log(`  writing a scope of ${size} chunks…`)
    const vectors = generateVectors({ seed, count: size, dimension: DIMENSION, kind: 'clustered' })
    const store = await openStore({ dir: layout.vectorsDir(big), dimension: DIMENSION, space: 'cosine', embedderId: LOCAL_EMBEDDER_ID(DIMENSION), initialCapacity: size, efConstruction: 64 })
    await store.add(vectors.map((vector, i) => {
      const doc = Math.floor(i / PER_DOCUMENT)
      return {
        documentId: `doc_${String(doc).padStart(24, '0')}`, title: `report-${doc}.txt`, text: generateText(seed, `add-${i}`, TEXT_BYTES), chunkIndex: i % PER_DOCUMENT, vector,
        metadata: { source: `report-${doc}.txt`, fileType: 'txt' },
      }
    }))
    await store.close()
    const bytes = async (name) => (await fse.stat(path.join(layout.vectorsDir(big), name))).size
    const baseMiB = ((await bytes('hnswlib.index')) + (await bytes('docstore.json')) + (await bytes('bento-lexical.bin'))) / 2 ** 20

    const filesDir = path.join(workDir, 'files')
    let next = 0
    // A new small file each time (2 KB: 3 chunks), so every add is an addition, never a replace.
    const newFile = async () => {
      const file = path.join(filesDir, `note-${next}.txt`)
      await fse.outputFile(file, generateText(seed, `note-${next++}`, 2000))
      return file
    }
    const add = async (key) => {
      const file = await newFile()
      const { ms, stdout } = await runChecked(process.execPath, [cli, 'add', key, file, '--data-dir', dataDir, '--json'], { capture: true })
      if (JSON.parse(stdout).documents?.[0]?.outcome !== 'added') throw new Error(`bento add ${key} did not add: ${stdout.slice(0, 300)}`)
      return ms
    }
    let empty = 0
    const result = await runPairs({ pairs, warmup: 1, log, a: () => add(big.key), b: () => add(`empty-${empty++}`) })
    return {
      setup: `a scope of ${size} chunks (${DIMENSION} dims, ${TEXT_BYTES}-byte texts, ${PER_DOCUMENT} per document; base files ${baseMiB.toFixed(0)} MiB); each side runs \`bento add <key> <new 2 KB .txt> --json\` as a child process`,
      comparisons: [
        comparison({
          name: `bento add of one small file into ${Math.round(size / 1000)}k chunks vs into an empty scope`,
          bento: `bento add into a scope of ${size} chunks`, baseline: 'the same command into a new scope', unit: 'ms', target: 1.5, pairs: result,
          note: 'whole command: node start-up, extraction, embedding and the commit (an append to the log after the lazy open)',
        }),
      ],
    }
  },
}
