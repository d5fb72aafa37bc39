/**
 * Where a JWT's verification key comes from: an HMAC secret, a JWKS held in
 * memory, a JWKS file (re-read when a token names a `kid` it lacks and the file
 * changed: rotation without a restart), or a JWKS URL (jose's cached remote set:
 * refetched after `jwksCacheMs`, or at once for an unknown `kid`, at most every 30 s).
 *
 * Threat: a JWKS fetched in clear text from another host could be swapped on the
 * way, and then any token verifies. A URL must be https; plain http is accepted
 * only for a loopback host (a sidecar or a test's local server).
 * Test: test/server/auth/jwks-url.test.ts.
 */
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import {
  createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTHeaderParameters, type FlattenedJWSInput,
} from 'jose'
import { AuthUnavailableError, InvalidOptionsError } from '../../core/errors.js'
import { isLoopbackHost } from '../loopback.js'
import type { JwtAuthOptions } from './options.js'

type KeyGetter = ReturnType<typeof createLocalJWKSet>
export type VerificationKey = Uint8Array | KeyGetter

export interface KeySource {
  key: VerificationKey
  /** `secret`, `jwks file <path>`, `jwks <url>`, `jwks (inline)`: said at start, never the secret. */
  describe: string
}

const URL_PATTERN = /^[a-z][a-z0-9+.-]*:\/\//i

/** Errors that say something about the token, not about reaching its keys. */
const TOKEN_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSEAlgNotAllowed, errors.JOSENotSupported, errors.JWSInvalid]
const isTokenError = (error: unknown): boolean => TOKEN_ERRORS.some((type) => error instanceof type)

const parseJwks = (text: string, where: string): JSONWebKeySet => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InvalidOptionsError(`The JWKS ${where} is not JSON.`)
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as JSONWebKeySet).keys)) {
    throw new InvalidOptionsError(`The JWKS ${where} has no "keys" array.`)
  }
  return value as JSONWebKeySet
}

const localSet = (jwks: JSONWebKeySet, where: string): KeyGetter => {
  try {
    return createLocalJWKSet(jwks)
  } catch (error) {
    throw new InvalidOptionsError(`The JWKS ${where} is not a valid key set: ${(error as Error).message}`)
  }
}

const fileSource = (file: string): KeySource => {
  const where = `file ${file}`
  const load = (): { getter: KeyGetter; mtimeMs: number } => {
    try {
      const mtimeMs = statSync(file).mtimeMs
      return { getter: localSet(parseJwks(readFileSync(file, 'utf8'), where), where), mtimeMs }
    } catch (error) {
      if (error instanceof InvalidOptionsError) throw error
      throw new InvalidOptionsError(`Cannot read the JWKS ${where}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
    }
  }
  let current = load()
  const getter = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    try {
      return await current.getter(header, token)
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error
      // A rotated file: read it again only when it changed, so unknown kids cannot make us re-read it per request.
      let mtimeMs: number
      try {
        mtimeMs = statSync(file).mtimeMs
      } catch {
        throw error
      }
      if (mtimeMs === current.mtimeMs) throw error
      try {
        current = load()
      } catch (reloadError) {
        throw new AuthUnavailableError('The token keys cannot be read.', reloadError)
      }
      return current.getter(header, token)
    }
  }
  return { key: getter as KeyGetter, describe: `jwks file ${file}` }
}

const urlSource = (url: URL, options: JwtAuthOptions): KeySource => {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new InvalidOptionsError(`The JWKS URL must be https (plain http only on a loopback host): ${url.origin}.`)
  }
  const remote = createRemoteJWKSet(url, {
    ...(options.jwksTimeoutMs === undefined ? {} : { timeoutDuration: options.jwksTimeoutMs }),
    ...(options.jwksCacheMs === undefined ? {} : { cacheMaxAge: options.jwksCacheMs }),
    ...(options.jwksCooldownMs === undefined ? {} : { cooldownDuration: options.jwksCooldownMs }),
  })
  const getter = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    try {
      return await remote(header, token)
    } catch (error) {
      if (isTokenError(error)) throw error
      // Closed, not open: a key set we cannot fetch refuses every token (503), it never lets one through.
      throw new AuthUnavailableError('The token keys cannot be fetched; try again later.', error)
    }
  }
  return { key: getter as KeyGetter, describe: `jwks ${url.href}` }
}

/** @throws InvalidOptionsError for a short secret, an unreadable file or a plain-http remote URL. */
export const createKeySource = (options: JwtAuthOptions): KeySource => {
  if ((options.secret === undefined) === (options.jwks === undefined)) {
    throw new InvalidOptionsError('auth: give exactly one of secret (BENTO_JWT_SECRET) and jwks (--jwks).')
  }
  if (options.secret !== undefined) {
    const bytes = new TextEncoder().encode(options.secret)
    if (bytes.length < 32) throw new InvalidOptionsError('auth.secret (BENTO_JWT_SECRET) must be at least 32 bytes for HS256.')
    return { key: bytes, describe: 'HS256 secret' }
  }
  const jwks = options.jwks!
  if (jwks instanceof URL) return urlSource(jwks, options)
  if (typeof jwks === 'string') {
    if (URL_PATTERN.test(jwks)) return urlSource(new URL(jwks), options)
    return fileSource(path.resolve(jwks))
  }
  return { key: localSet(jwks, '(inline)'), describe: 'jwks (inline)' }
}
