import { describe, expect, it } from 'vitest'
import { parseManifest, serializeManifest, type Manifest } from '../../../src/core/store/manifest.js'

const valid: Manifest = {
  format: 'bento-store',
  formatVersion: 2,
  dimension: 4,
  space: 'cosine',
  embedderId: 'local-hash-4',
  efSearch: 50,
  efConstruction: 200,
  m: 16,
  capacity: 8,
  live: 3,
  deleted: 1,
  documents: 2,
  nextLabel: 4,
  revision: 5,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  files: { 'hnswlib.index': 10, 'docstore.json': 20, 'args.json': 30, 'bento-lexical.bin': 40, 'bento-catalog.json': 50 },
  log: { bytes: 60, records: 1, added: 1, deleted: 0 },
}

const corrupt = (manifest: unknown) => expect(() => parseManifest(JSON.stringify(manifest))).toThrow(expect.objectContaining({ code: 'corrupt_store' }))

describe('parseManifest', () => {
  it('reads back what serializeManifest wrote, byte for byte, and drops keys it does not know', () => {
    const text = serializeManifest(valid)
    expect(serializeManifest(parseManifest(text))).toBe(text)
    const { documents: _documents, log: _log, ...older } = valid
    const withExtra = { ...older, files: { ...older.files, 'other.bin': 1 }, extra: true }
    expect(parseManifest(JSON.stringify(withExtra))).toEqual(older)
  })

  it.each([
    ['dimension', { ...valid, dimension: 'four' }],
    ['dimension', { ...valid, dimension: 65_537 }],
    ['m', { ...valid, m: 1 }],
    ['space', { ...valid, space: 'dot' }],
    ['embedderId', { ...valid, embedderId: '' }],
    ['live', { ...valid, live: 1.5 }],
    ['capacity', { ...valid, capacity: 2 ** 32 }],
    ['files.docstore\\.json', { ...valid, files: { ...valid.files, 'docstore.json': -1 } }],
    ['log.records', { ...valid, log: { ...valid.log, records: undefined } }],
    ['format', { ...valid, format: 'other' }],
    ['\\(root\\)', [valid]],
  ])('names the bad field %s', (field, manifest) => {
    expect(() => parseManifest(JSON.stringify(manifest))).toThrow(new RegExp(`^bento\\.json: ${field}: `))
    corrupt(manifest)
  })
})
