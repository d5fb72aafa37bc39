/**
 * Hand-made archives for the hostile-input tests: entries written as given
 * (any name, type, size or content), and a valid manifest to start from.
 */
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import tar from 'tar-stream'
import { MANIFEST_CHECKSUM_ENTRY, MANIFEST_ENTRY, type ArchiveManifest } from '../../src/ops/archive/format.js'

export interface CraftedEntry {
  name: string
  data?: Buffer | string
  type?: tar.Header['type']
  linkname?: string
}

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex')

export const packEntries = async (entries: CraftedEntry[]): Promise<Buffer> => {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer)
  })()
  for (const entry of entries) {
    const data = entry.data === undefined ? undefined : Buffer.from(entry.data)
    await new Promise<void>((resolve, reject) => {
      const header = { name: entry.name, type: entry.type ?? 'file', linkname: entry.linkname, size: data?.length ?? 0, mode: 0o644 }
      const callback = (error?: Error | null) => (error ? reject(error) : resolve())
      if (data === undefined) pack.entry(header, callback).end(Buffer.alloc(0))
      else pack.entry(header, data, callback)
    })
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

/** A manifest for `data` entries (in the order given), with a memory-free, vector-free scope unless `chunks` is set. */
export const manifestFor = (data: CraftedEntry[], overrides: Partial<ArchiveManifest> = {}): ArchiveManifest => ({
  format: 'bento-scope-archive',
  formatVersion: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  generator: 'test',
  scope: { key: 'user-evil', kind: 'custom' },
  embedder: null,
  stores: { documents: { chunks: 0, efSearch: null }, memory: { chunks: 0, efSearch: null } },
  activity: { createdAt: null, lastActiveAt: null },
  counts: { documents: 0, chunks: 0, memories: 0, uploads: data.length, conversations: 0, bytes: 0 },
  entries: data.map((entry) => ({ path: entry.name, size: Buffer.byteLength(entry.data ?? ''), sha256: sha256(entry.data ?? '') })),
  ...overrides,
})

/** Manifest, its checksum, then `entries` as given (so they may disagree with the manifest). */
export const writeArchiveFile = async (file: string, manifest: ArchiveManifest | string, entries: CraftedEntry[], checksum?: string): Promise<void> => {
  const text = typeof manifest === 'string' ? manifest : `${JSON.stringify(manifest, null, 2)}\n`
  await writeFile(file, await packEntries([{ name: MANIFEST_ENTRY, data: text }, { name: MANIFEST_CHECKSUM_ENTRY, data: `${checksum ?? sha256(text)}\n` }, ...entries]))
}
