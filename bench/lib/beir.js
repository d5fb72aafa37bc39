/**
 * A BEIR-format directory (corpus.jsonl, queries.jsonl, qrels/test.tsv), read by
 * path; the sets are never committed. Only queries with a relevant document count.
 */
import path from 'node:path'
import fse from 'fs-extra'

const readJsonl = async (file) =>
  (await fse.readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line))

export const readBeir = async (dir) => {
  for (const name of ['corpus.jsonl', 'queries.jsonl', path.join('qrels', 'test.tsv')]) {
    if (!(await fse.pathExists(path.join(dir, name)))) throw new Error(`${dir} is not a BEIR directory: ${name} is missing`)
  }
  const corpus = await readJsonl(path.join(dir, 'corpus.jsonl'))
  const qrels = new Map()
  const lines = (await fse.readFile(path.join(dir, 'qrels', 'test.tsv'), 'utf8')).split('\n')
  for (const line of lines) {
    const [queryId, docId, grade] = line.trim().split('\t')
    if (!queryId || docId === undefined || queryId === 'query-id' || !(Number(grade) > 0)) continue
    if (!qrels.has(queryId)) qrels.set(queryId, new Map())
    qrels.get(queryId).set(docId, Number(grade))
  }
  const queries = (await readJsonl(path.join(dir, 'queries.jsonl'))).filter((query) => qrels.has(String(query._id)))
  return { corpus, queries, qrels }
}

/** nDCG@10 (linear gains = grades), hit@5 and MRR@10 of one ranked list of document ids. */
export const scoreRanking = (ranked, relevant) => {
  const top = ranked.slice(0, 10)
  let dcg = 0
  top.forEach((id, i) => {
    dcg += (relevant.get(id) ?? 0) / Math.log2(i + 2)
  })
  const ideal = [...relevant.values()].sort((a, b) => b - a).slice(0, 10)
  const idcg = ideal.reduce((sum, grade, i) => sum + grade / Math.log2(i + 2), 0)
  const first = top.findIndex((id) => relevant.has(id))
  return { ndcg10: idcg > 0 ? dcg / idcg : 0, hit5: first >= 0 && first < 5 ? 1 : 0, mrr10: first >= 0 ? 1 / (first + 1) : 0 }
}

/**
 * The reference: Okapi BM25 (k1 1.2, b 0.75, Lucene's idf) over whole documents
 * (title + text), Unicode word tokens lower-cased, no stemming, no stop words.
 * Written here independently of Bento's index, so it checks it.
 */
export const referenceBm25 = (corpus) => {
  const tokens = (text) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  const postings = new Map()
  const lengths = []
  corpus.forEach((doc, i) => {
    const words = tokens(`${doc.title ?? ''} ${doc.text ?? ''}`)
    lengths.push(words.length)
    const counts = new Map()
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1)
    for (const [word, tf] of counts) {
      if (!postings.has(word)) postings.set(word, [])
      postings.get(word).push([i, tf])
    }
  })
  const average = lengths.reduce((a, b) => a + b, 0) / lengths.length
  return (query, k = 10) => {
    const scores = new Map()
    for (const word of new Set(tokens(query))) {
      const list = postings.get(word)
      if (!list) continue
      const idf = Math.log(1 + (corpus.length - list.length + 0.5) / (list.length + 0.5))
      for (const [i, tf] of list) scores.set(i, (scores.get(i) ?? 0) + (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * lengths[i]) / average)))
    }
    return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k).map(([i]) => String(corpus[i]._id))
  }
}
