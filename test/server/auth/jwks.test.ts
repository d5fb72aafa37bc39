import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { exportSPKI, importJWK, SignJWT, type CryptoKey } from 'jose'
import pino from 'pino'
import { bearer, keySet, makeSigningKey, signWith, startJwksServer, type JwksServer } from '../../helpers/jwt.js'
import { useTempDirs } from '../../helpers/temp-dir.js'
import { useServers } from '../helpers.js'

const makeServer = useServers()
const tempDir = useTempDirs()
const idps: JwksServer[] = []
afterEach(async () => {
  await Promise.all(idps.splice(0).map((idp) => idp.close()))
})

const startIdp = async (...args: Parameters<typeof startJwksServer>) => {
  const idp = await startJwksServer(...args)
  idps.push(idp)
  return idp
}

const list = (url: string, token: string) => fetch(`${url}/api/documents/list`, { headers: bearer(token) })

describe('auth jwt with a JWKS file', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('verifies %s tokens by kid', async (alg) => {
    const key = await makeSigningKey(alg, `${alg}-1`)
    const file = path.join(await tempDir(), 'jwks.json')
    await writeFile(file, JSON.stringify(keySet(key)))
    const server = await makeServer({ auth: { type: 'jwt', jwks: file } })
    const { url } = await server.start({ port: 0 })
    expect((await list(url, await signWith(key, { sub: 'alice' }))).status).toBe(200)
    const stranger = await makeSigningKey(alg, `${alg}-1`)
    expect((await list(url, await signWith(stranger, { sub: 'alice' }))).status).toBe(401)
  })

  it('picks up a rotated file when a token names a kid it does not know yet', async () => {
    const old = await makeSigningKey('ES256', 'k1')
    const next = await makeSigningKey('ES256', 'k2')
    const file = path.join(await tempDir(), 'jwks.json')
    await writeFile(file, JSON.stringify(keySet(old)))
    const server = await makeServer({ auth: { type: 'jwt', jwks: file } })
    const { url } = await server.start({ port: 0 })
    expect((await list(url, await signWith(next, { sub: 'alice' }))).status).toBe(401)
    await writeFile(file, JSON.stringify(keySet(old, next)))
    expect((await list(url, await signWith(next, { sub: 'alice' }))).status).toBe(200)
    expect((await list(url, await signWith(old, { sub: 'alice' }))).status).toBe(200)
  })

  it('refuses an HS256 token signed with the public key (algorithm confusion)', async () => {
    const key = await makeSigningKey('RS256', 'rsa')
    const file = path.join(await tempDir(), 'jwks.json')
    await writeFile(file, JSON.stringify(keySet(key)))
    const server = await makeServer({ auth: { type: 'jwt', jwks: file } })
    const { url } = await server.start({ port: 0 })
    const pem = await exportSPKI((await importJWK(key.publicJwk, 'RS256', { extractable: true })) as CryptoKey)
    const forged = await new SignJWT({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa' }).sign(new TextEncoder().encode(pem))
    const response = await list(url, forged)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } })
  })
})

describe('auth jwt with a JWKS URL (a local identity provider on 127.0.0.1)', () => {
  it('fetches the key set once, caches it, and refetches for a new kid (rotation)', async () => {
    const k1 = await makeSigningKey('RS256', 'k1')
    const k2 = await makeSigningKey('RS256', 'k2')
    const idp = await startIdp(keySet(k1))
    const server = await makeServer({ auth: { type: 'jwt', jwks: idp.url, jwksCooldownMs: 0 } })
    const { url } = await server.start({ port: 0 })
    for (let i = 0; i < 3; i += 1) expect((await list(url, await signWith(k1, { sub: 'alice' }))).status).toBe(200)
    expect(idp.fetches).toBe(1)
    idp.serve = keySet(k1, k2)
    expect((await list(url, await signWith(k2, { sub: 'bob' }))).status).toBe(200)
    expect(idp.fetches).toBe(2)
  })

  it('answers 503 auth_unavailable, never open access, when the key set cannot be fetched; the cause goes to the log only', async () => {
    const key = await makeSigningKey('ES256', 'k1')
    const idp = await startIdp(500)
    const lines: string[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
    const server = await makeServer({ auth: { type: 'jwt', jwks: idp.url }, logger })
    const { url } = await server.start({ port: 0 })
    const failing = await list(url, await signWith(key, { sub: 'alice' }))
    expect(failing.status).toBe(503)
    expect(failing.headers.get('retry-after')).not.toBeNull()
    const body = await failing.text()
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'auth_unavailable' } })
    expect(body).not.toContain('127.0.0.1')
    expect(lines.join('')).toMatch(/token keys cannot be fetched/)

    // Unreachable altogether (nothing listens any more).
    await idp.close()
    idps.length = 0
    expect((await list(url, await signWith(key, { sub: 'alice' }))).status).toBe(503)
    // And a request without a token is still a plain 401: no fetch needed to refuse it.
    expect((await fetch(`${url}/api/documents/list`)).status).toBe(401)
  })
})
