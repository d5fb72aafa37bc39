/**
 * The bad-input table: malformed requests, bad files and bad options with the
 * status or exit code each must get, shared by the fs suite (bad-input.test.ts)
 * and the PostgreSQL one (pg-bad-input.test.ts).
 */
import { open, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { customScope } from '../../../src/core/keys.js'
import { makeDeepHtml, makeDeepJson, makeDocxOfParagraphs, makeSharedStreamPdf } from '../../helpers/hostile-files.js'
import { multipartUpload } from './http-attack.js'

export const ADMIN = 'fma_bad_input_admin_0123456789'
export const CLIENT = 'fmc_bad_input_client_0123456789'
export const ENV = { BENTO_EMBEDDINGS_DIMENSION: '64', BENTO_ADMIN_KEYS: ADMIN, BENTO_CLIENT_KEYS: CLIENT }
export const USER = customScope('user-bad')
export const DAMAGED = customScope('damaged')

export interface HttpRow {
  name: string
  method?: string
  route: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  status: number
  code?: string
  /** Reads a store file damaged on disk: the fs backend's case only. */
  fsOnly?: true
}

const json = (value: unknown) => JSON.stringify(value)
const user = { 'x-isolation-key': USER.key, 'x-bento-client-key': CLIENT }
const jsonHeaders = { ...user, 'content-type': 'application/json' }
const admin = { 'x-bento-admin-key': ADMIN, 'content-type': 'application/json' }
const upload = (name: string, content: string | Uint8Array, type?: string) => {
  const { body, type: contentType } = multipartUpload(name, content, type)
  return { method: 'POST', route: '/api/documents/upload', headers: { ...user, 'content-type': contentType }, body }
}
const invalidUtf8 = new Uint8Array([0x68, 0x69, 0x20, 0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0x0a])
export const binary = new Uint8Array(Array.from({ length: 2048 }, (_, i) => (i * 131 + 7) & 0xff))

export const HTTP_ROWS: HttpRow[] = [
  { name: 'malformed JSON', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: '{"query":', status: 400, code: 'invalid_input' },
  { name: 'JSON that is an array', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: '[1,2]', status: 400, code: 'invalid_input' },
  { name: 'JSON null', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: 'null', status: 400, code: 'invalid_input' },
  { name: 'JSON nested 100,000 deep', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: '['.repeat(100_000), status: 400, code: 'invalid_input' },
  { name: 'JSON with invalid UTF-8 bytes', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: new Uint8Array([0x7b, 0x22, 0x71, 0x75, 0x65, 0x72, 0x79, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), status: 200 },
  { name: 'JSON body over the 1 MiB limit', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: new TextEncoder().encode(json({ query: 'x'.repeat(1_100_000) })), status: 413, code: 'too_large' },
  { name: 'multipart content type on a JSON route', method: 'POST', route: '/api/documents/search', headers: { ...user, 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--', status: 400, code: 'invalid_input' },
  { name: 'JSON content type on the upload route', method: 'POST', route: '/api/documents/upload', headers: jsonHeaders, body: json({ file: 'a.txt' }), status: 400, code: 'invalid_input' },
  { name: 'multipart without a file field', ...(() => { const { body, type } = multipartUpload('a.txt', 'x'); return { method: 'POST', route: '/api/documents/upload', headers: { ...user, 'content-type': type }, body: new TextEncoder().encode(new TextDecoder().decode(body).replace('name="file"', 'name="other"')) } })(), status: 400, code: 'invalid_input' },
  { name: 'truncated multipart body', ...(() => { const { body, type } = multipartUpload('a.txt', 'truncated upload'); return { method: 'POST', route: '/api/documents/upload', headers: { ...user, 'content-type': type }, body: body.slice(0, body.length - 20) } })(), status: 400, code: 'invalid_input' },
  { name: 'oversized upload (11 MiB)', ...upload('big.txt', 'a'.repeat(11 * 1024 * 1024)), status: 413, code: 'too_large' },
  { name: 'empty file', ...upload('empty.txt', ''), status: 422, code: 'empty_file' },
  { name: 'whitespace-only file', ...upload('blank.md', '   \n\n\t  '), status: 422, code: 'empty_file' },
  { name: 'a binary renamed .pdf', ...upload('report.pdf', binary, 'application/pdf'), status: 422, code: 'unreadable_file' },
  { name: 'a binary renamed .docx', ...upload('report.docx', binary), status: 422, code: 'unreadable_file' },
  { name: 'a truncated PDF', ...upload('cut.pdf', '%PDF-1.7\n1 0 obj\n<< /Type /Catalog'), status: 422, code: 'unreadable_file' },
  { name: 'a zip that is not a docx', ...upload('fake.docx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...binary.slice(0, 200)])), status: 422, code: 'unreadable_file' },
  { name: 'invalid UTF-8 in a .txt', ...upload('bad.txt', invalidUtf8), status: 422, code: 'unreadable_file' },
  { name: 'NUL bytes in a .md', ...upload('nulbytes.md', 'text\u0000more'), status: 422, code: 'unreadable_file' },
  { name: 'malformed JSON file', ...upload('data.json', '{"a": [1, 2'), status: 422, code: 'unreadable_file' },
  { name: 'unsupported extension', ...upload('tool.exe', 'MZ'), status: 415, code: 'unsupported_type' },
  { name: 'file name with a path', ...upload('../../escape.txt', 'escape'), status: 400, code: 'invalid_input' },
  { name: 'huge query (5,000 chars)', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: 'q'.repeat(5000) }), status: 400, code: 'invalid_input' },
  { name: 'empty query', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: '   ' }), status: 400, code: 'invalid_input' },
  { name: 'limit 0', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: 'a', limit: 0 }), status: 400, code: 'invalid_input' },
  { name: 'limit 51 (over 50)', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: 'a', limit: 51 }), status: 400, code: 'invalid_input' },
  { name: 'limit 1e9', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: 'a', limit: 1e9 }), status: 400, code: 'invalid_input' },
  { name: 'limit 2.5', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: 'a', limit: 2.5 }), status: 400, code: 'invalid_input' },
  { name: 'limit as a string', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: 'a', limit: '5' }), status: 400, code: 'invalid_input' },
  { name: 'unknown fields (refused, named)', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: json({ query: 'alpha', extra: { deep: [1] }, __proto__: { polluted: true } }), status: 400 },
  { name: 'prototype pollution keys', method: 'POST', route: '/api/documents/search', headers: jsonHeaders, body: '{"query":"a","__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}', status: 400 },
  { name: 'chat with no messages', method: 'POST', route: '/api/chat', headers: jsonHeaders, body: json({ messages: [] }), status: 400, code: 'invalid_input' },
  { name: 'chat with a bad role', method: 'POST', route: '/api/chat', headers: jsonHeaders, body: json({ messages: [{ role: 'root', content: 'x' }] }), status: 400, code: 'invalid_input' },
  { name: 'chat naming an unknown conversation', method: 'POST', route: '/api/chat', headers: jsonHeaders, body: json({ messages: [{ role: 'user', content: 'x' }], conversationId: 'sess_nope' }), status: 404, code: 'not_found' },
  { name: 'malformed conversation id', route: '/v1/sessions/..%2F..%2Fetc', headers: user, status: 404, code: 'not_found' },
  { name: 'empty memory', method: 'POST', route: '/v1/memories', headers: jsonHeaders, body: json({ content: '' }), status: 400, code: 'invalid_input' },
  { name: 'delete of an unknown document id', method: 'DELETE', route: '/api/documents/doc_000000000000000000000000', headers: user, status: 404, code: 'not_found' },
  { name: 'delete of a crafted document id', method: 'DELETE', route: '/api/documents/..%2F..%2Fvectors', headers: user, status: 404, code: 'not_found' },
  { name: 'unknown route', route: '/api/documents/nothing/here', headers: user, status: 404, code: 'not_found' },
  { name: 'wrong method', method: 'PUT', route: '/api/documents/list', headers: user, status: 405, code: 'method_not_allowed' },
  { name: 'missing isolation key (custom mode)', route: '/api/documents/list', headers: { 'x-bento-client-key': CLIENT }, status: 401, code: 'unauthorized' },
  { name: 'invalid isolation key', route: '/api/documents/list', headers: { 'x-isolation-key': '../../etc', 'x-bento-client-key': CLIENT }, status: 400, code: 'invalid_key' },
  { name: 'wrong admin key', route: '/api/admin/scopes', headers: { 'x-bento-admin-key': 'fma_wrong_key_0123456789' }, status: 401, code: 'unauthorized' },
  { name: 'admin du with top=0', route: '/api/admin/scopes?top=0', headers: admin, status: 400, code: 'invalid_input' },
  { name: 'admin du with an unknown sort', route: '/api/admin/scopes?sort=evil', headers: admin, status: 400, code: 'invalid_input' },
  { name: 'admin migrate onto itself', method: 'POST', route: '/api/admin/migrate', headers: admin, body: json({ from: USER.key, to: USER.key }), status: 400, code: 'invalid_input' },
  { name: 'admin migrate of a missing scope', method: 'POST', route: '/api/admin/migrate', headers: admin, body: json({ from: 'nobody-here', to: 'x' }), status: 404, code: 'not_found' },
  { name: 'admin cleanup with a negative age', method: 'POST', route: '/api/admin/cleanup', headers: admin, body: json({ olderThanMs: -1 }), status: 400, code: 'invalid_input' },
  { name: 'list of a scope with a corrupt index (documented 500 corrupt_store)', route: '/api/documents/list', headers: { 'x-isolation-key': DAMAGED.key, 'x-bento-client-key': CLIENT }, fsOnly: true, status: 500, code: 'corrupt_store' },
]

/**
 * Issue 12: hostile files, parsed in a worker within budgets and refused before any
 * storage call (generated here, never committed; a few seconds to build and send).
 */
export const hostileFileRows = (): HttpRow[] => [
  { name: 'DOCX of 1.2 M empty paragraphs (XML element bomb)', ...upload('bomb.docx', makeDocxOfParagraphs(1_200_000)), status: 413, code: 'too_large' },
  { name: 'JSON file nested 6,000 levels', ...upload('deep.json', makeDeepJson(6000)), status: 422, code: 'unreadable_file' },
  { name: 'JSON file of 100,000 unclosed [', ...upload('brackets.json', '['.repeat(100_000)), status: 422, code: 'unreadable_file' },
  { name: 'HTML file of 300,000 nested <div>', ...upload('deep.html', makeDeepHtml(300_000)), status: 422, code: 'unreadable_file' },
  { name: 'PDF whose 200 pages draw one 10 MiB whitespace stream (41 KB)', ...upload('shared.pdf', makeSharedStreamPdf(200, 10 * 1024 * 1024), 'application/pdf'), status: 413, code: 'too_large' },
  { name: 'JSON file nested 3,000 levels around a large array', ...upload('deep-array.json', makeDeepJson(3000, `[${'1,'.repeat(80_000)}1]`)), status: 422, code: 'unreadable_file' },
]

export interface CliRow {
  name: string
  /** `where` names the storage: `['--data-dir', dir]` or `['--backend', spec]`. */
  args: (files: Record<string, string>, where: string[]) => string[]
  code: number
  damage?: (dir: string) => Promise<void>
  binary?: true
}

const corruptWith = (change: (file: string, dir: string) => Promise<void>, file = 'hnswlib.index') => async (dir: string) => change(path.join(dir, file), dir)

export const CLI_ROWS: CliRow[] = [
  { name: 'add: unsupported type', args: (f, w) => ['add', USER.key, f.exe!, ...w], code: 2 },
  { name: 'add: empty file', args: (f, w) => ['add', USER.key, f.empty!, ...w], code: 2 },
  { name: 'add: binary renamed .pdf', args: (f, w) => ['add', USER.key, f.pdf!, ...w], code: 2 },
  { name: 'add: missing file', args: (_f, w) => ['add', USER.key, '/nonexistent/x.txt', ...w], code: 3, binary: true },
  { name: 'search: --top-k 0', args: (_f, w) => ['search', USER.key, 'alpha', '--top-k', '0', ...w], code: 2 },
  { name: 'search: --top-k 10000', args: (_f, w) => ['search', USER.key, 'alpha', '--top-k', '10000', ...w], code: 2 },
  { name: 'du: --top 0', args: (_f, w) => ['du', '--top', '0', ...w], code: 2, binary: true },
  { name: 'du: --sort bogus', args: (_f, w) => ['du', '--sort', 'bogus', ...w], code: 2 },
  { name: 'cleanup: --older-than bogus', args: (_f, w) => ['cleanup', '--older-than', '3 fortnights', '--yes', ...w], code: 2 },
  { name: 'cleanup: without --yes and no terminal', args: (_f, w) => ['cleanup', '--older-than', '0s', '--scope', USER.key, ...w], code: 2 },
  { name: 'migrate: unknown option', args: (_f, w) => ['migrate', USER.key, '--to', 'x', '--yes', '--frobnicate', ...w], code: 2 },
  { name: 'corrupt index (random bytes)', args: (_f, w) => ['inspect', DAMAGED.key, '--verify', ...w], code: 3, binary: true, damage: corruptWith(async (file) => writeFile(file, Buffer.from(binary))) },
  { name: 'truncated index', args: (_f, w) => ['search', DAMAGED.key, 'alpha', ...w], code: 3, binary: true, damage: corruptWith(async (file) => truncate(file, 150)) },
  { name: 'crafted index header (max_elements 2^40)', args: (_f, w) => ['inspect', DAMAGED.key, '--verify', ...w], code: 3, damage: corruptWith(async (file) => {
    const handle = await open(file, 'r+')
    const big = Buffer.alloc(8)
    big.writeBigUInt64LE(2n ** 40n)
    await handle.write(big, 0, 8, 8)
    await handle.close()
  }) },
  { name: 'crafted neighbour id in level 0', args: (_f, w) => ['search', DAMAGED.key, 'alpha', ...w], code: 3, damage: corruptWith(async (file) => {
    const bytes = await readFile(file)
    bytes.writeUInt32LE(0xfffffff0, 96 + 4)
    await writeFile(file, bytes)
  }) },
  { name: 'manifest disagrees with its index (dimension)', args: (_f, w) => ['inspect', DAMAGED.key, '--verify', ...w], code: 3, damage: corruptWith(async (file) => {
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    manifest.dimension = 999
    await writeFile(file, JSON.stringify(manifest))
  }, 'bento.json') },
  { name: 'docstore that is not JSON', args: (_f, w) => ['inspect', DAMAGED.key, '--verify', ...w], code: 3, damage: corruptWith(async (file) => writeFile(file, '[[0, {"pageContent": '), 'docstore.json') },
  { name: 'missing index file', args: (_f, w) => ['inspect', DAMAGED.key, '--verify', ...w], code: 3, damage: corruptWith(async (file) => rm(file)) },
  { name: 'missing docstore file', args: (_f, w) => ['search', DAMAGED.key, 'alpha', ...w], code: 3, damage: corruptWith(async (file) => rm(file), 'docstore.json') },
]
