/**
 * Attack 4 (concurrency) on the PostgreSQL backend: two `bento serve` replicas on
 * one database (PGlite over the wire protocol, or BENTO_TEST_DATABASE_URL) under
 * load — uploads, lists and searches sent to either replica — while real `bento`
 * CLI processes run migrate, cleanup, du and ls on the same database. Every
 * request is answered (2xx, or 503 with Retry-After), every acknowledged upload
 * is listed on both replicas, no active scope is removed, idle ones are, moved
 * scopes arrive whole, and every scope passes `inspect --verify`.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestDatabase, type TestDatabase } from '../helpers/pg.js'
import { runBin, serveChild, type ServeChild } from './support/serve-child.js'

const ENV = { BENTO_EMBEDDINGS_DIMENSION: '64' }
const ACTIVE = 6
const IDLE = 4
const LOAD_MS = 20_000
const CONNECTIONS = 8

let database: TestDatabase
let dataDir: string
let spec: string
const replicas: ServeChild[] = []
const active = Array.from({ length: ACTIVE }, (_, i) => `active-${i}`)
const idle = Array.from({ length: IDLE }, (_, i) => `idle-${i}`)
const movers = Array.from({ length: IDLE }, (_, i) => `mover-${i}`)
const docsOf = new Map<string, number>()
const tally = { requests: 0, ok: 0, busy503: 0, cliRuns: 0 }

const upload = async (replica: ServeChild, key: string, name: string, text: string) => {
  const form = new FormData()
  form.append('file', new File([text], name))
  const response = await fetch(`${replica.url}/api/documents/upload`, { method: 'POST', headers: { 'x-isolation-key': key }, body: form })
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() }
}

const listed = async (replica: ServeChild, key: string) => {
  const response = await fetch(`${replica.url}/api/documents/list`, { headers: { 'x-isolation-key': key } })
  expect(response.status).toBe(200)
  return ((await response.json()) as { documents: unknown[] }).documents.length
}

beforeAll(async () => {
  database = await startTestDatabase()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'bento-pg-concurrency-'))
  const schema = `concurrency_${randomBytes(4).toString('hex')}`
  spec = `${database.url}?schema=${schema}`
  for (let i = 0; i < 2; i++) replicas.push(await serveChild(dataDir, ['--isolation', 'custom', '--backend', spec], ENV))
  let n = 0
  for (const key of [...active, ...idle, ...movers]) {
    for (const doc of ['a', 'b']) expect((await upload(replicas[n++ % 2]!, key, `${doc}.txt`, `notes ${doc} of ${key}`)).status).toBe(200)
    docsOf.set(key, 2)
  }
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await admin.query(`UPDATE "${schema}".scopes SET last_active_at = now() - interval '72 hours' WHERE key = ANY($1::text[])`, [idle])
  await admin.end()
}, 600_000)

afterAll(async () => {
  for (const replica of replicas) await replica.stop()
  await database?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('concurrency: two replicas on one database under load, CLI migrate and cleanup beside them', () => {
  it('answers every request, loses no acknowledged upload, removes only idle scopes, and every scope verifies', async () => {
    const deadline = Date.now() + LOAD_MS
    const load = async (worker: number) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const key = active[(worker + n) % active.length]!
        const replica = replicas[(worker + n) % 2]!
        tally.requests++
        let status: number
        let retryAfter: string | null = null
        let text = ''
        if (n % 5 === 0) {
          const done = await upload(replica, key, `u-${worker}-${n}.txt`, `upload ${worker}-${n} for ${key}`)
          ;({ status, retryAfter, text } = done)
          if (status === 200) docsOf.set(key, docsOf.get(key)! + 1)
        } else {
          const route = n % 2 ? '/api/documents/list' : '/api/documents/search'
          const response = await fetch(`${replica.url}${route}`, n % 2 ? { headers: { 'x-isolation-key': key } } : { method: 'POST', headers: { 'x-isolation-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ query: `notes of ${key}`, limit: 3 }) })
          text = await response.text()
          status = response.status
          retryAfter = response.headers.get('retry-after')
        }
        if (status === 503 && retryAfter) tally.busy503++
        else {
          expect(status, `worker ${worker} request ${n}: ${text.slice(0, 300)} ${replica.stderr().slice(-600)}`).toBeLessThan(300)
          tally.ok++
        }
      }
    }
    const backend = ['--backend', spec]
    const cli = async () => {
      const run = async (args: string[]) => {
        const result = await runBin(args, ENV)
        tally.cliRuns++
        expect([0, 4], `bento ${args.join(' ')}: ${result.stderr}`).toContain(result.code)
        expect(result.stderr).not.toMatch(/\n\s+at /)
        return result
      }
      await run(['cleanup', '--older-than', '24h', '--include-users', '--yes', '--json', ...backend])
      for (let i = 0; i < movers.length && Date.now() < deadline; i++) {
        const moved = await run(['migrate', movers[i]!, '--to', `archived-${i}`, '--yes', '--json', ...backend])
        if (moved.code === 0) docsOf.set(`archived-${i}`, 2)
        await run(['du', '--json', ...backend])
      }
    }
    await Promise.all([...Array.from({ length: CONNECTIONS }, (_, w) => load(w)), cli()])
    expect(tally.cliRuns).toBeGreaterThan(2)
    for (const replica of replicas) expect(replica.alive()).toBe(true)

    for (const key of active) for (const replica of replicas) expect(await listed(replica, key), key).toBe(docsOf.get(key))
    for (const key of idle) expect(await listed(replicas[0]!, key), key).toBe(0)
    for (let i = 0; i < movers.length; i++) if (docsOf.has(`archived-${i}`)) expect(await listed(replicas[1]!, `archived-${i}`)).toBe(2)

    const ls = await runBin(['ls', '--json', '--backend', spec], ENV)
    expect(ls.code, ls.stderr).toBe(0)
    const scopes = (JSON.parse(ls.stdout) as { scopes: Array<{ key: string }> }).scopes
    expect(scopes.map((scope) => scope.key)).not.toContain('idle-0')
    for (const { key } of scopes) {
      const inspect = await runBin(['inspect', key, '--verify', '--json', '--backend', spec], ENV)
      expect(inspect.code, `${key}: ${inspect.stdout.slice(0, 400)} ${inspect.stderr}`).toBe(0)
    }
  }, 900_000)
})
