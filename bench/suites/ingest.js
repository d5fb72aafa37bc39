/**
 * Ingestion throughput with the local (offline) embedder: extract, chunk, embed
 * and commit generated text files into one scope's store, in MB/s of text, two
 * ways: one file per call and commit (the server's upload route), and
 * `addFiles` over the directory of the same files (`bento add <dir>`, batched
 * commits). The embedder alone is measured on the same text for context.
 */
import path from 'node:path'
import fse from 'fs-extra'
import { generateText } from '../gen/text.js'
import { timeMs } from '../lib/pairs.js'
import { figure } from '../lib/compare.js'
import { requireDist } from '../lib/library.js'

export const ingestSuite = {
  id: 'ingest',
  title: 'Ingestion throughput with the local embedder (MB/s of text)',
  async run({ scale, seed, workDir, log }) {
    const pipeline = await requireDist('core/ingest/pipeline.js', ['ingestDocument'])
    const { addFiles } = await requireDist('ops/add.js', ['addFiles'])
    const { createFsBackend } = await requireDist('core/backend/index.js', ['createFsBackend'])
    const { customScope } = await requireDist('core/keys.js', ['customScope'])
    const { ensureDir } = await requireDist('core/layout.js', ['ensureDir'])
    const { createLocalEmbedder } = await requireDist('core/embeddings/index.js', ['createLocalEmbedder'])
    const { megabytes, files: fileCount, dimension } = scale.ingest
    const bytesPerFile = Math.floor((megabytes * 1e6) / fileCount)
    const srcDir = path.join(workDir, 'src')
    const files = []
    for (let i = 0; i < fileCount; i++) {
      const file = path.join(srcDir, `notes-${i}.${i % 2 ? 'md' : 'txt'}`)
      await fse.outputFile(file, generateText(seed, `ingest-${i}`, bytesPerFile))
      files.push(file)
    }
    const total = fileCount * bytesPerFile
    const embedder = createLocalEmbedder({ dimension })
    const backend = createFsBackend({ dataDir: path.join(workDir, 'data'), embedder })
    const scope = customScope('ingest-bench')
    const uploadsDir = backend.layout.uploadsDir(scope)
    await ensureDir(backend.layout, uploadsDir)
    let chunks = 0
    const perFile = []
    const ms = await timeMs(async () => {
      for (const file of files) {
        const bytes = await fse.readFile(file)
        const t0 = performance.now()
        const result = await backend.withStore(scope, (store) => pipeline.ingestDocument({ store, embedder, uploadsDir }, { fileName: path.basename(file), bytes }), { write: true })
        perFile.push(performance.now() - t0)
        chunks += result.chunks
      }
    })
    const third = Math.max(1, Math.floor(perFile.length / 3))
    const firstMs = perFile.slice(0, third).reduce((s, x) => s + x, 0) / third
    const lastMs = perFile.slice(-third).reduce((s, x) => s + x, 0) / third
    await backend.close()

    const dirBackend = createFsBackend({ dataDir: path.join(workDir, 'data-dir-add'), embedder })
    const dirScope = customScope('ingest-bench-dir')
    let dirChunks = 0
    const dirMs = await timeMs(async () => {
      const result = await addFiles(dirBackend, dirScope, [srcDir])
      if (result.documents.length !== fileCount) throw new Error(`addFiles added ${result.documents.length} of ${fileCount} files`)
      dirChunks = result.documents.reduce((s, d) => s + d.chunks, 0)
    })
    // A store's revision rises by one per commit.
    const commits = await dirBackend.withStore(dirScope, async (store) => store.stats().revision)
    await dirBackend.close()

    const texts = await Promise.all(files.slice(0, Math.min(8, files.length)).map((file) => fse.readFile(file, 'utf8')))
    const sample = texts.flatMap((text) => text.match(/[\s\S]{1,1000}/g) ?? [])
    const embedMs = await timeMs(() => embedder.embed(sample))
    const embedBytes = sample.reduce((s, t) => s + t.length, 0)
    log(`  ${(total / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(2)} s one file per call, ${(dirMs / 1000).toFixed(2)} s with addFiles (${commits} store commit${commits === 1 ? '' : 's'}); embedder alone ${(embedBytes / 1e6 / (embedMs / 1000)).toFixed(1)} MB/s`)
    return {
      setup: `${fileCount} generated .txt/.md files, ${(total / 1e6).toFixed(1)} MB of text, into one scope; local embedder ${embedder.id}`,
      figures: [
        figure({ name: 'ingestion throughput, one file per commit (server upload route)', value: total / 1e6 / (ms / 1000), unit: 'MB/s', command: 'npm run bench -- --only ingest', note: `${chunks} chunks, ${(ms / 1000).toFixed(2)} s, one file per call (backend.withStore write + ingestDocument); a file costs ${firstMs.toFixed(0)} ms in the first third and ${lastMs.toFixed(0)} ms in the last (each add commits the whole index)` }),
        figure({ name: 'ingestion throughput, batched commits (bento add of a directory)', value: total / 1e6 / (dirMs / 1000), unit: 'MB/s', command: 'npm run bench -- --only ingest', note: `${dirChunks} chunks, ${(dirMs / 1000).toFixed(2)} s, addFiles over the directory of the same files into a new scope: ${commits} store commit${commits === 1 ? '' : 's'} for ${fileCount} files` }),
        figure({ name: 'local embedder alone, 1000-char chunks', value: embedBytes / 1e6 / (embedMs / 1000), unit: 'MB/s', command: 'npm run bench -- --only ingest' }),
      ],
    }
  },
}
