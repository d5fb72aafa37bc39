// Where the time of opening a small store goes, phase by phase (issue 18, step 1).
// usage: node bench/profile-small-open.js [chunks=100] [dimension=384] [rounds=200]
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as fs from '../dist/core/fs.js'
import { openStore } from '../dist/core/store/index.js'
import { readIdentity } from '../dist/core/store/identity.js'
import { readJournal, resolveFiles } from '../dist/core/store/journal.js'
import { parseManifest } from '../dist/core/store/manifest.js'
import { parseArgs } from '../dist/core/store/args.js'
import { parseDocstore } from '../dist/core/store/docstore.js'
import { fileSource, validateIndex } from '../dist/core/store/index-header.js'
import { loadIndex, releaseIndex } from '../dist/core/store/hnsw.js'

const [chunks = 100, dimension = 384, rounds = 200] = process.argv.slice(2).map(Number)
const dir = mkdtempSync(path.join(os.tmpdir(), 'bento-open-'))
const store = await openStore({ dir, dimension, embedderId: 'x' })
const vec = () => { const v = Array.from({ length: dimension }, () => Math.random() - 0.5); const n = Math.hypot(...v); return v.map((x) => x / n) }
await store.add(Array.from({ length: chunks }, (_, i) => ({ documentId: `doc-${i % 10}`, title: 't', text: 'lorem ipsum '.repeat(40), chunkIndex: i, vector: vec() })))
await store.close()

const phases = {}
const time = async (name, fn) => { const t = process.hrtime.bigint(); const r = await fn(); (phases[name] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6); return r }
const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1]
for (let round = 0; round < rounds; round++) {
  await time('total: openStore + search(q,1) + close', async () => { const s = await openStore({ dir, create: false }); await s.search(vec(), 1); await s.close() })
  await time('readIdentity x2 (bracket)', async () => { await readIdentity(dir); await readIdentity(dir) })
  await time('readJournal + resolveFiles', async () => resolveFiles(dir, await readJournal(dir)))
  const [m, a, d] = await time('lstat + readFile x3 (manifest, args, docstore) + lstat index', () => Promise.all(['bento.json', 'args.json', 'docstore.json'].map(async (n) => { await fs.lstatOrUndefined(path.join(dir, n)); return fs.readFile(path.join(dir, n)) }).concat([fs.lstatOrUndefined(path.join(dir, 'hnswlib.index'))])))
  const manifest = await time('parseManifest (zod)', () => parseManifest(m.toString('utf8')))
  await time('parseArgs', () => parseArgs(a.toString('utf8')))
  await time('validateIndex (chunked sync reads)', () => fs.withFileReaderSync(path.join(dir, 'hnswlib.index'), (st, readAt) => validateIndex(fileSource(st.size, readAt), { dimension, capacity: manifest.capacity })))
  const index = await time('hnswlib readIndex (takeIndex + worker read + resize + setEf)', () => loadIndex(path.join(dir, 'hnswlib.index'), { space: 'cosine', dimension, m: 16, efConstruction: 200, efSearch: 250 }, manifest.capacity))
  await time('hnswlib searchKnn(q, 1)', () => index.searchKnn(vec(), 1))
  releaseIndex(index)
  await time('parseDocstore', () => parseDocstore(d.toString('utf8')))
}
const bytes = Object.fromEntries(['hnswlib.index', 'docstore.json', 'args.json', 'bento.json'].map((n) => [n, (fs.lstatSyncOrUndefined(path.join(dir, n))).size]))
console.log(JSON.stringify({ chunks, dimension, rounds, bytes }))
for (const [name, xs] of Object.entries(phases)) console.log(`${med(xs).toFixed(3).padStart(8)} ms  ${name}`)
rmSync(dir, { recursive: true, force: true })
