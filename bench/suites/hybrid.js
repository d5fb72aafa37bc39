/**
 * What the lexical index costs, at 10k chunks of generated prose embedded by the
 * offline embedder:
 * - search: `searchStore` hybrid (BM25 + vector, fused) against vector only, same
 *   queries, alternating in one run;
 * - commit and cold open: there is no build without the lexical index to compare
 *   with, so each pair times the whole operation and, right after, the lexical
 *   index's own share of it (recording the added chunks' counted terms, encoding and durably
 *   writing the file; reading and checking it), and reports whole ÷ (whole − share):
 *   the cost relative to the same operation without the index. An open defers
 *   decoding the postings to the first lexical search, reported on its own.
 */
import path from 'node:path'
import fse from 'fs-extra'
import { requireDist, SkipError } from '../lib/library.js'
import { createRng, seedFor } from '../lib/rng.js'
import { drawWord, proseText } from './hybrid-text.js'
import { measure, runPairs, timeMs } from '../lib/pairs.js'
import { collectGarbage } from '../lib/gc.js'
import { comparison, figure } from '../lib/compare.js'
import { summarize } from '../lib/stats.js'

export const hybridSuite = {
  id: 'hybrid',
  title: 'Cost of the lexical index: hybrid search vs vector only, commit and cold open shares',
  async run({ scale, seed, workDir, log }) {
    const count = scale.search.vectors
    const { createFsBackend } = await requireDist('core/backend/index.js', ['createFsBackend'])
    const { createLocalEmbedder } = await requireDist('core/embeddings/index.js', ['createLocalEmbedder'])
    const { customScope } = await requireDist('core/keys.js', ['customScope'])
    const { searchStore } = await requireDist('core/search/index.js', ['searchStore'])
    const { openStore } = await requireDist('core/store/index.js', ['openStore'])
    const lexical = await requireDist('core/lexical/index.js', ['addPassage', 'analyzePassage', 'postingsOf', 'defaultAnalyzer', 'encodeLexicalIndex', 'decodeLexicalIndex', 'readLexicalHeader', 'encodeAndPackLexicalIndex']).catch(() => {
      throw new SkipError('lexical index not built')
    })
    const embedder = createLocalEmbedder()
    const dataDir = path.join(workDir, 'data')
    const backend = createFsBackend({ dataDir, embedder })
    const scope = customScope('bench-hybrid')
    const analyzer = lexical.defaultAnalyzer()
    const chunkAt = async (i) => {
      const text = proseText(seed, `hybrid-${i}`, 400)
      const [vector] = await embedder.embed([text])
      return { documentId: `doc-${Math.floor(i / 4)}`, title: `Document ${Math.floor(i / 4)}`, text, chunkIndex: i % 4, vector, terms: lexical.analyzePassage(text, analyzer) }
    }
    log(`  building ${count} chunks…`)
    for (let i = 0; i < count; i += 2000) {
      const batch = await Promise.all(Array.from({ length: Math.min(2000, count - i) }, (_, j) => chunkAt(i + j)))
      await backend.withStore(scope, (store) => store.add(batch), { write: true })
    }
    const rng = createRng(seedFor(seed, 'hybrid-queries'))
    const queries = Array.from({ length: 40 }, () => Array.from({ length: 3 }, () => drawWord(rng)).join(' '))
    const searchAll = (mode) => measure(async () => {
      for (const query of queries) await searchStore(backend, scope, query, 10, { mode })
    }, queries.length)
    const comparisons = []
    const searchPairs = await runPairs({ pairs: scale.search.pairs, log, alternate: true, a: () => searchAll('hybrid'), b: () => searchAll('vector') })
    comparisons.push(comparison({ name: `hybrid search, ${count / 1000}k chunks`, bento: "searchStore(…, 10, { mode: 'hybrid' })", baseline: "searchStore(…, 10, { mode: 'vector' })", unit: 'ms', target: 1.5, pairs: searchPairs }))
    await backend.close()

    // Commit: add 100 chunks to the store. Its lexical share is recording their counted terms for the
    // index (their postings are appended by the next read of the postings, timed apart right after); a
    // commit that rewrites the base files (the first, or a compaction of the commit log) also encodes
    // and writes the whole lexical file, one that appends to the commit log (issue 18) does not: the
    // manifest tells which.
    const manifestOf = async () => fse.readJson(path.join(dir, 'bento.json'))
    let appended = 0
    const dir = backend.layout.vectorsDir(scope)
    const store = await openStore({ dir, dimension: embedder.dimension, embedderId: embedder.id })
    let next = count
    // The appends go to one decoded index that lives through the pairs, as the store's does: the first
    // appends into a freshly decoded index cost several times the later ones (paid once per open), and
    // pair 0, which pays them here as in the store, is not counted.
    const probe = lexical.decodeLexicalIndex(await fse.readFile(path.join(dir, 'bento-lexical.bin')), 'bench')
    const commitWhole = []
    const commitShare = []
    const deferredAppends = []
    for (let pair = 0; pair < scale.pairs * 2 + 1; pair++) {
      const batch = await Promise.all(Array.from({ length: 100 }, (_, j) => chunkAt(next + j)))
      collectGarbage()
      const before = (await manifestOf()).log?.records ?? 0
      const whole = await timeMs(() => store.add(batch))
      const logged = ((await manifestOf()).log?.records ?? 0) > before
      if (logged && pair > 0) appended++
      const index = logged ? undefined : lexical.decodeLexicalIndex(await fse.readFile(path.join(dir, 'bento-lexical.bin')), 'bench')
      // The decode above leaves megabytes of garbage: collected now, not inside the share.
      collectGarbage()
      const share = await timeMs(async () => {
        batch.forEach((chunk, j) => lexical.addPassage(probe, next + j, chunk.text, chunk.terms))
        if (index) await fse.writeFile(path.join(workDir, 'lexical.tmp'), (index.removed > 0 ? lexical.encodeAndPackLexicalIndex(index).bytes : lexical.encodeLexicalIndex(index)), { flush: true })
      })
      // What the commit left to the next lexical search: appending the 100 passages' postings.
      const deferred = await timeMs(() => lexical.postingsOf(probe))
      next += 100
      if (pair === 0) continue
      commitWhole.push(whole)
      commitShare.push(share)
      deferredAppends.push(deferred)
    }
    await store.close()
    comparisons.push(shareComparison(`commit of 100 chunks into ${count / 1000}k`, 'store.add(100 chunks), lexical index included', `the same minus the lexical index's share (record the counted terms, whose postings the next search appends; encode and write the file when the commit rewrites it: ${commitWhole.length - appended} of ${commitWhole.length} here, the others appended to the commit log)`, commitWhole, commitShare, 1.3))

    // Cold open: the open reads the lexical file and checks it as a whole (size, checksum, header);
    // its postings are decoded at the first lexical search, timed apart right after.
    const openWhole = []
    const openShare = []
    const firstLexical = []
    const [query] = await embedder.embed(['store vector index'])
    const file = path.join(dir, 'bento-lexical.bin')
    for (let pair = 0; pair < scale.pairs * 2 + 1; pair++) {
      collectGarbage()
      let opened
      const whole = await timeMs(async () => {
        opened = await openStore({ dir, create: false })
        opened.stats()
        await opened.search(query, 1)
      })
      const first = await timeMs(() => opened.searchLexical(queries[pair % queries.length], 10))
      await opened.close()
      // A store with a commit log decodes the lexical file at open, to replay the log into it.
      const withLog = ((await manifestOf()).log?.bytes ?? 0) > 0
      const share = await timeMs(async () => {
        const bytes = await fse.readFile(file)
        return withLog ? lexical.decodeLexicalIndex(bytes, 'bench') : lexical.readLexicalHeader(bytes, 'bench')
      })
      if (pair === 0) continue
      openWhole.push(whole)
      openShare.push(share)
      firstLexical.push(first)
    }
    const logAtOpen = ((await manifestOf()).log?.bytes ?? 0) > 0
    comparisons.push(shareComparison(`cold open, ${next / 1000}k chunks`, 'openStore + stats() + search(q, 1), lexical index included', `the same minus reading and checking the lexical file${logAtOpen ? ' and decoding it (the store has a commit log to replay)' : ''}`, openWhole, openShare, 1.2))
    const figures = [figure({
      name: 'postings of 100 committed chunks, appended by the next lexical search (deferred from the commit)', value: summarize(deferredAppends).median, unit: 'ms', better: 'lower',
      command: 'npm run bench -- --only hybrid', spread: summarize(deferredAppends),
      note: `paid once per write by the first lexical search after it; the commits took ${summarize(commitWhole).median.toFixed(1)} ms`,
    }), figure({
      name: `first lexical search after a cold open, ${next / 1000}k chunks (decodes the postings)`, value: summarize(firstLexical).median, unit: 'ms', better: 'lower',
      command: 'npm run bench -- --only hybrid', spread: summarize(firstLexical),
      note: `the decode the open defers; the open itself took ${summarize(openWhole).median.toFixed(1)} ms`,
    })]
    const bytes = (await fse.stat(path.join(dir, 'bento-lexical.bin'))).size
    const indexBytes = (await fse.stat(path.join(dir, 'hnswlib.index'))).size
    return {
      setup: `${count} chunks of 400 bytes of generated text (20,000 pseudo-words drawn Zipf-like), offline embedder; 40 three-word queries drawn the same way per sample; lexical file ${(bytes / 1e6).toFixed(2)} MB beside a ${(indexBytes / 1e6).toFixed(1)} MB hnswlib.index`,
      comparisons,
      figures,
    }
  },
}

const shareComparison = (name, bento, baseline, wholes, shares, target) => {
  const withouts = wholes.map((whole, i) => Math.max(whole - shares[i], 1e-6))
  return comparison({
    name, bento, baseline, unit: 'ms', target,
    pairs: { bento: summarize(wholes), baseline: summarize(withouts), ratio: summarize(wholes.map((whole, i) => whole / withouts[i])), samples: { bento: wholes, baseline: withouts } },
    note: 'baseline estimated in the same run: the whole operation minus the lexical index\'s measured share',
  })
}
