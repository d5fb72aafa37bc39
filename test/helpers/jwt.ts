/**
 * Tokens and key sets for the auth tests: real keys (jose), real signatures, and a
 * local JWKS server on 127.0.0.1 that stands in for an identity provider.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose'

export const SECRET = 'test-secret-of-at-least-32-bytes-0123456789'

export interface SigningKey {
  alg: string
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

export const makeSigningKey = async (alg: 'RS256' | 'ES256' | 'EdDSA', kid: string): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

export const keySet = (...keys: SigningKey[]): JSONWebKeySet => ({ keys: keys.map((key) => key.publicJwk) })

const now = (): number => Math.floor(Date.now() / 1000)

/** A token valid for an hour from now unless `claims` say otherwise. */
export const signWith = async (key: SigningKey | string, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> => {
  const jwt = new SignJWT({ iat: now(), exp: now() + 3600, ...claims })
  if (typeof key === 'string') return jwt.setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode(key))
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey)
}

export const hs = (claims: Record<string, unknown>, alg = 'HS256', secret = SECRET): Promise<string> =>
  new SignJWT({ iat: now(), exp: now() + 3600, ...claims }).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret))

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** An unsecured JWT (`alg: none`), as an attacker would send it. */
export const unsecured = (claims: JWTPayload): string => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: now() + 3600, ...claims })}.`

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

export interface JwksServer {
  url: string
  /** What the server answers now: a key set, or an HTTP status to fail with. */
  serve: JSONWebKeySet | number
  fetches: number
  close(): Promise<void>
}

/** An identity provider's JWKS endpoint on 127.0.0.1 (`/.well-known/jwks.json`). */
export const startJwksServer = async (initial: JSONWebKeySet | number): Promise<JwksServer> => {
  const state = { serve: initial, fetches: 0 }
  const server: Server = createServer((request, response) => {
    state.fetches += 1
    if (typeof state.serve === 'number') {
      response.writeHead(state.serve, { 'content-type': 'text/plain' }).end('internal detail: idp db down')
      return
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.serve))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get serve() {
      return state.serve
    },
    set serve(value) {
      state.serve = value
    },
    get fetches() {
      return state.fetches
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
