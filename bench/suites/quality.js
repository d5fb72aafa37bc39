/**
 * Retrieval quality on public relevance judgments (BEIR format): each `--data`
 * directory's corpus is ingested into a scope through `bento add`'s pipeline
 * (one .txt file per document: title, blank line, text; chunked and embedded by
 * the default offline embedder), then every judged query is searched in each
 * mode. A document ranks where its best chunk ranks. The reference Okapi BM25
 * (bench/lib/beir.js) ranks whole documents, independently of Bento's index.
 *
 *   npm run bench -- --only quality --data ../shared/retrieval-eval/dbpedia,../shared/retrieval-eval/business-reports
 */
import path from 'node:path'
import fse from 'fs-extra'
import { requireDist, SkipError } from '../lib/library.js'
import { readBeir, referenceBm25, scoreRanking } from '../lib/beir.js'

const NONSENSE = ['qqqzzzkkk', 'zxqvbn wplkjh', 'xkcdqq vvbbnn zzyzx']
const METHODS = [
  { name: 'vector only', options: { mode: 'vector' } },
  { name: 'lexical only (Bento BM25, chunks)', options: { mode: 'lexical' } },
  { name: 'hybrid, calibrated score fusion', options: { mode: 'hybrid', fusion: 'score' } },
  { name: 'hybrid, RRF k 60 (the default)', options: { mode: 'hybrid', fusion: 'rrf' } },
]

const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

// The fusion's constants, swept outside the library: RRF k and the vector ranking's weight
// (the lexical one gets 1 − w). Chosen on one set, read on the other; k 60, w 0.5 is the default.
const SWEEP = [5, 20, 60, 200].flatMap((k) => [0.3, 0.5, 0.7].map((w) => ({ k, w })))
/** The offline embedder's similarity floor (src/core/search/similarity-floor.ts), as hybrid applies it. */
const FLOOR = 0.4

const chunkKey = (row) => `${row.metadata.source}#${row.metadata.chunkIndex}`

/** searchStore's hybrid over two rankings already fetched, with its constants as parameters. */
const fuse = (vector, lexical, { k, w }) => {
  const scores = new Map()
  vector.forEach((row, rank) => scores.set(chunkKey(row), { row, score: w / (k + 1 + rank), order: rank, keep: row.score >= FLOOR }))
  lexical.forEach((row, rank) => {
    const key = chunkKey(row)
    const known = scores.get(key)
    if (known) Object.assign(known, { score: known.score + (1 - w) / (k + 1 + rank), keep: true })
    else scores.set(key, { row, score: (1 - w) / (k + 1 + rank), order: Number.MAX_SAFE_INTEGER, keep: true })
  })
  return [...scores.values()].filter((c) => c.keep).sort((a, b) => b.score - a.score || a.order - b.order).map((c) => c.row)
}

const evaluate = async (rank, queries, qrels) => {
  const rows = []
  for (const query of queries) rows.push(scoreRanking(await rank(query.text), qrels.get(String(query._id))))
  const perQuery = Object.fromEntries(queries.map((query, i) => [String(query._id), Number(rows[i].ndcg10.toFixed(4))]))
  return { ndcg10: mean(rows.map((r) => r.ndcg10)), hit5: mean(rows.map((r) => r.hit5)), mrr10: mean(rows.map((r) => r.mrr10)), perQuery }
}

export const qualitySuite = {
  id: 'quality',
  title: 'Retrieval quality (nDCG@10, hit@5, MRR@10) on BEIR-format sets: vector, lexical, hybrid, reference BM25',
  async run({ workDir, log, data }) {
    if (!data) throw new SkipError('needs --data <BEIR dir>[,<dir>…] (e.g. ../shared/retrieval-eval/dbpedia)')
    const { createFsBackend } = await requireDist('core/backend/index.js', ['createFsBackend'])
    const { createLocalEmbedder } = await requireDist('core/embeddings/index.js', ['createLocalEmbedder'])
    const { customScope } = await requireDist('core/keys.js', ['customScope'])
    const { addFiles } = await requireDist('ops/add.js', ['addFiles'])
    const { searchScope } = await requireDist('ops/search.js', ['searchScope'])
    const sets = []
    for (const dir of data.split(',').map((d) => d.trim()).filter(Boolean)) {
      const name = path.basename(path.resolve(dir))
      const { corpus, queries, qrels } = await readBeir(dir)
      log(`  ${name}: ${corpus.length} documents, ${queries.length} judged queries`)
      const inputDir = path.join(workDir, `${name}-input`)
      await fse.ensureDir(inputDir)
      const idOf = new Map()
      await Promise.all(corpus.map((doc, i) => {
        const file = `d${String(i).padStart(6, '0')}.txt`
        idOf.set(file, String(doc._id))
        return fse.writeFile(path.join(inputDir, file), `${doc.title ?? ''}\n\n${doc.text ?? ''}`)
      }))
      const backend = createFsBackend({ dataDir: path.join(workDir, `${name}-data`), embedder: createLocalEmbedder() })
      const scope = customScope(`quality-${name}`.slice(0, 100))
      try {
        const t0 = Date.now()
        const added = await addFiles(backend, scope, [inputDir])
        log(`  ingested in ${((Date.now() - t0) / 1000).toFixed(1)} s (${added.documents?.length ?? '?'} documents)`)
        const chunks = await backend.withStore(scope, async (store) => store.stats().live)
        const rankWith = (options) => async (text) => {
          const { results } = await searchScope(backend, scope, text, { k: 100, ...options })
          const ids = []
          for (const row of results) {
            const id = idOf.get(row.metadata.source)
            if (id !== undefined && !ids.includes(id)) ids.push(id)
          }
          return ids
        }
        const rows = []
        for (const method of METHODS) rows.push({ method: method.name, ...(await evaluate(rankWith(method.options), queries, qrels)) })
        const toIds = (results) => {
          const ids = []
          for (const row of results) {
            const id = idOf.get(row.metadata.source)
            if (id !== undefined && !ids.includes(id)) ids.push(id)
          }
          return ids
        }
        const fetched = new Map()
        for (const query of queries) {
          const vector = (await searchScope(backend, scope, query.text, { k: 100, mode: 'vector' })).results
          const lexical = (await searchScope(backend, scope, query.text, { k: 100, mode: 'lexical' })).results
          fetched.set(query.text, { vector, lexical })
        }
        const sweep = []
        for (const config of SWEEP) {
          const scored = await evaluate(async (text) => toIds(fuse(fetched.get(text).vector, fetched.get(text).lexical, config)), queries, qrels)
          sweep.push({ ...config, ndcg10: scored.ndcg10, mrr10: scored.mrr10 })
        }
        log(`    fusion sweep (RRF k × vector weight w), nDCG@10: ${sweep.map((row) => `k${row.k}/w${row.w} ${row.ndcg10.toFixed(3)}`).join('  ')}`)
        const reference = referenceBm25(corpus)
        rows.push({ method: 'reference Okapi BM25 (k1 1.2, b 0.75), whole documents', ...(await evaluate(async (text) => reference(text), queries, qrels)) })
        for (const row of rows) log(`    ${row.method.padEnd(58)} nDCG@10 ${row.ndcg10.toFixed(3)}  hit@5 ${row.hit5.toFixed(3)}  MRR@10 ${row.mrr10.toFixed(3)}`)
        // Per query, so a set's judgments can be read against its queries (one query's order is 1 / queries of the mean).
        if (queries.length <= 60) for (const query of queries) log(`      ${String(query._id).padEnd(8)} ${rows.map((row) => row.perQuery[String(query._id)].toFixed(3)).join(' ')}  ${query.text.slice(0, 60)}`)
        const topSimilarity = async (text) => (await searchScope(backend, scope, text, { k: 1, mode: 'vector', minSimilarity: -1 })).results[0]?.score ?? 0
        const judged = []
        for (const query of queries) judged.push(await topSimilarity(query.text))
        judged.sort((a, b) => a - b)
        const nonsense = []
        for (const text of NONSENSE) {
          const result = await searchScope(backend, scope, text, { k: 10 })
          nonsense.push({ query: text, results: result.results.length, noMatch: result.noMatch, topSimilarity: await topSimilarity(text) })
        }
        log(`    best vector similarity: judged queries min ${judged[0]?.toFixed(3)} median ${judged[judged.length >> 1]?.toFixed(3)}; nonsense ${nonsense.map((n) => n.topSimilarity.toFixed(3)).join(' ')}`)
        for (const n of nonsense) log(`    nonsense ${JSON.stringify(n.query)}: ${n.results} results, noMatch ${n.noMatch}`)
        sets.push({ name, dir: path.resolve(dir), documents: corpus.length, chunks, queries: queries.length, rows, sweep, nonsense, judgedTopSimilarity: { min: judged[0], median: judged[judged.length >> 1] } })
      } finally {
        await backend.close()
      }
    }
    return {
      setup: 'each set ingested with `bento add`\'s pipeline (offline embedder local-hash-v1:384); documents rank by their best chunk; top 100 chunks per query',
      quality: sets,
    }
  },
}
