import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalEmbedder } from '../../../src/core/embeddings/local.js'
import { ingestDocument, type IngestResult } from '../../../src/core/ingest/pipeline.js'
import { openStore } from '../../../src/core/store/index.js'
import type { VectorStore } from '../../../src/core/store/types.js'
import { useTempDirs } from '../../helpers/temp-dir.js'
import { makeDocx, makePdf } from './make-files.js'

const CORPUS = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url))

// Emma Lazarus, "The New Colossus" (1883), public domain.
const NEW_COLOSSUS = [
  'Not like the brazen giant of Greek fame, With conquering limbs astride from land to land; Here at our sea-washed, sunset gates shall stand ' +
    'A mighty woman with a torch, whose flame Is the imprisoned lightning, and her name Mother of Exiles. From her beacon-hand ' +
    'Glows world-wide welcome; her mild eyes command The air-bridged harbor that twin cities frame.',
  '"Keep, ancient lands, your storied pomp!" cries she With silent lips. "Give me your tired, your poor, Your huddled masses yearning to breathe free, ' +
    'The wretched refuse of your teeming shore. Send these, the homeless, tempest-tost to me, I lift my lamp beside the golden door!"',
]

// Abraham Lincoln, "House Divided" speech (1858), excerpt, public domain.
const HOUSE_DIVIDED = [
  'If we could first know where we are, and whither we are tending, we could then better judge what to do, and how to do it.',
  'We are now far into the fifth year, since a policy was initiated, with the avowed object, and confident promise, of putting an end to slavery agitation.',
  '"A house divided against itself cannot stand." I believe this government cannot endure, permanently half slave and half free.',
  'I do not expect the Union to be dissolved. I do not expect the house to fall. But I do expect it will cease to be divided. It will become all one thing or all the other.',
]

const PHRASES: Array<[string, string]> = [
  ['the last full measure of devotion', 'gettysburg-address.txt'],
  ['government of the people, by the people, for the people', 'gettysburg-address.txt'],
  ['certain unalienable Rights', 'declaration-of-independence.md'],
  ['Standing Armies without the Consent of our legislatures', 'declaration-of-independence.md'],
  ['With malice toward none, with charity for all', 'second-inaugural-address.txt'],
  ['insure domestic Tranquility', 'constitution-preamble.md'],
  ['cruel and unusual punishments', 'bill-of-rights.html'],
  ['unreasonable searches and seizures', 'bill-of-rights.html'],
  ['involuntary servitude', 'later-amendments.json'],
  ['huddled masses yearning to breathe free', 'new-colossus.pdf'],
  ['A house divided against itself cannot stand', 'house-divided.docx'],
]

const squash = (text: string) => text.replace(/\s+/g, ' ').toLowerCase()

const tempDir = useTempDirs()
const embedder = createLocalEmbedder()
let store: VectorStore
const ingested = new Map<string, IngestResult>()

describe('the public-domain corpus, ingested with the local embedder', () => {
  beforeAll(async () => {
    const root = await tempDir('bento-corpus-')
    store = await openStore({ dir: path.join(root, 'vectors'), dimension: embedder.dimension, embedderId: embedder.id })
    const files: Array<[string, Uint8Array]> = []
    for (const name of (await readdir(CORPUS)).filter((name) => name !== 'README.md').sort()) {
      files.push([name, new Uint8Array(await readFile(path.join(CORPUS, name)))])
    }
    files.push(['new-colossus.pdf', await makePdf({ title: 'The New Colossus', paragraphs: NEW_COLOSSUS })])
    files.push(['house-divided.docx', await makeDocx({ title: 'A House Divided', paragraphs: HOUSE_DIVIDED })])
    for (const [fileName, bytes] of files) {
      ingested.set(fileName, await ingestDocument({ store, embedder, uploadsDir: path.join(root, 'uploads') }, { fileName, bytes }))
    }
  })
  afterAll(async () => {
    await store?.close()
  })

  it('ingests every file with its type and title', () => {
    expect([...ingested.keys()]).toHaveLength(8)
    expect(ingested.get('declaration-of-independence.md')).toMatchObject({ fileType: 'md', title: 'The Declaration of Independence' })
    expect(ingested.get('bill-of-rights.html')).toMatchObject({ fileType: 'html', title: 'The Bill of Rights — Amendments I–X' })
    expect(ingested.get('later-amendments.json')).toMatchObject({ fileType: 'json', title: 'Later Amendments to the Constitution' })
    expect(ingested.get('new-colossus.pdf')).toMatchObject({ fileType: 'pdf', title: 'The New Colossus' })
    expect(ingested.get('house-divided.docx')).toMatchObject({ fileType: 'docx' })
    expect(ingested.get('gettysburg-address.txt')).toMatchObject({ fileType: 'txt', title: 'gettysburg-address.txt' })
    expect(store.listDocuments()).toHaveLength(8)
    expect(store.stats().live).toBe([...ingested.values()].reduce((sum, result) => sum + result.chunks, 0))
  })

  it.each(PHRASES)('finds the chunk holding "%s" in the top 3', async (phrase, fileName) => {
    const [query] = await embedder.embed([phrase])
    const hits = await store.search(query!, 3)
    const expectedId = ingested.get(fileName)?.documentId
    const match = hits.find((hit) => hit.documentId === expectedId && squash(hit.text).includes(squash(phrase)))
    expect(match, `top 3: ${hits.map((hit) => `${hit.metadata.source}#${hit.chunkIndex} ${hit.score.toFixed(3)}`).join(', ')}`).toBeDefined()
  })

  it('never indexes scripts or styles of HTML', async () => {
    const chunks = await store.exportChunks()
    expect(chunks.some((chunk) => /analytics|font-family/.test(chunk.text))).toBe(false)
  })
})
