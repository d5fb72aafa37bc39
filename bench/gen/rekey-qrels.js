#!/usr/bin/env node
/**
 * A copy of a BEIR-format directory whose judgments are re-keyed to other query ids:
 * corpus.jsonl and queries.jsonl are linked, not copied; qrels/test.tsv keeps every
 * judged passage and grade and only changes which query they belong to. For a set
 * whose judgments were attached to the wrong queries (docs/BENCHMARKS.md shows the
 * business-reports case and the mapping used there). Nothing is written inside the set.
 *
 *   node bench/gen/rekey-qrels.js <BEIR dir> <out dir> q_12=q_6,q_13=q_17,…
 */
import path from 'node:path'
import fse from 'fs-extra'

const [source, out, mapping] = process.argv.slice(2)
if (!source || !out || !mapping) {
  console.error('usage: node bench/gen/rekey-qrels.js <BEIR dir> <out dir> <from=to,…>')
  process.exit(2)
}
const rekey = new Map(mapping.split(',').map((pair) => pair.split('=').map((id) => id.trim())))
const lines = (await fse.readFile(path.join(source, 'qrels', 'test.tsv'), 'utf8')).split('\n').filter((line) => line.trim() !== '')
const unknown = new Set()
const rows = lines.map((line, i) => {
  const [query, ...rest] = line.split('\t')
  if (i === 0 && query === 'query-id') return line
  if (!rekey.has(query)) unknown.add(query)
  return [rekey.get(query) ?? query, ...rest].join('\t')
})
if (unknown.size > 0) console.error(`kept as they are (not in the mapping): ${[...unknown].join(', ')}`)
await fse.ensureDir(path.join(out, 'qrels'))
for (const name of ['corpus.jsonl', 'queries.jsonl']) {
  await fse.remove(path.join(out, name))
  await fse.symlink(path.resolve(source, name), path.join(out, name))
}
await fse.writeFile(path.join(out, 'qrels', 'test.tsv'), `${rows.join('\n')}\n`)
console.log(`${out}: ${rows.length - 1} judgments, ${rekey.size} query ids re-keyed`)
