/**
 * `createBentoServer({ auth })`: how a request proves who it is. One mode today,
 * `jwt`: `Authorization: Bearer <JWT>` verified with jose, either against an HMAC
 * secret (HS256) or against public keys from a JWKS (a file, an inline set, or an
 * https URL fetched, cached and refetched for an unknown `kid`).
 */
import type { JSONWebKeySet } from 'jose'

export interface JwtAuthOptions {
  type: 'jwt'
  /** HMAC secret for HS256 tokens (at least 32 bytes, RFC 7518 §3.2). Exactly one of `secret` and `jwks`. */
  secret?: string
  /**
   * Public keys: an https URL (http only on a loopback host), a path to a JWKS file,
   * or the key set itself. Keys are chosen by the token's `kid`.
   */
  jwks?: string | URL | JSONWebKeySet
  /** Accepted `iss` values; when set, a token without one of them is refused. */
  issuer?: string | string[]
  /** Accepted `aud` values; when set, a token for another audience is refused. */
  audience?: string | string[]
  /** Leeway for `exp` and `nbf` against clock skew. Default 5 s. */
  clockToleranceMs?: number
  /** The claim holding the isolation key. Default `sub`. */
  keyClaim?: string
  /** When set, the scope is `<tenant>:<key>`, the tenant read from this claim. */
  tenantClaim?: string
  /**
   * Allowed algorithms. Default `HS256` with a secret; with a JWKS the asymmetric
   * ones: `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `ES256`, `ES384`, `ES512`, `EdDSA`, `Ed25519`.
   */
  algorithms?: string[]
  /** A JWKS URL: how long fetched keys are trusted before they are fetched again. Default 10 min. */
  jwksCacheMs?: number
  /** A JWKS URL: a token with an unknown `kid` refetches the set at most this often. Default 30 s. */
  jwksCooldownMs?: number
  /** A JWKS URL: give up on a fetch after this long (the request gets 503). Default 5 s. */
  jwksTimeoutMs?: number
}

export type AuthOptions = JwtAuthOptions

export const DEFAULT_CLOCK_TOLERANCE_MS = 5000
export const DEFAULT_KEY_CLAIM = 'sub'
export const HMAC_ALGORITHMS = ['HS256']
export const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
export const MIN_SECRET_BYTES = 32
