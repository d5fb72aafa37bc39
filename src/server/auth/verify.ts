/**
 * Verifies `Authorization: Bearer <JWT>` and turns the verified claims into an
 * isolation key. Only the verified payload names the key: headers a client
 * sends (`x-isolation-key`, `X-Muxi-User-Id`) play no part.
 *
 * Threats, each refused with 401 (test/server/auth/jwt.test.ts): no token, a bad
 * signature, `alg: none`, an algorithm the key does not allow (an HS256 token
 * signed with an RSA public key), expired, not yet valid, wrong issuer or audience.
 * A key set that cannot be fetched is a 503, never open access.
 */
import { errors, jwtVerify, type JWTPayload } from 'jose'
import { AuthUnavailableError, InvalidKeyClaimError, InvalidKeyError, UnauthorizedError } from '../../core/errors.js'
import { customScope, SHARED_KEY } from '../../core/keys.js'
import { createKeySource, type VerificationKey } from './key-source.js'
import {
  DEFAULT_CLOCK_TOLERANCE_MS, DEFAULT_KEY_CLAIM, HMAC_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, type JwtAuthOptions,
} from './options.js'

export interface VerifiedIdentity {
  /** The isolation key: the key claim, or `<tenant>:<key>` with a tenant claim. */
  key: string
  claims: JWTPayload
}

export interface JwtVerifier {
  verify(authorization: string | undefined): Promise<VerifiedIdentity>
  /** What verifies tokens, for the start-up message (never the secret). */
  readonly describe: string
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_=.-]+)[ \t]*$/i

const claimMessage = (error: InstanceType<typeof errors.JWTClaimValidationFailed>): string => {
  switch (error.claim) {
    case 'nbf': return 'The token is not valid yet.'
    case 'iss': return "The token's issuer is not accepted."
    case 'aud': return "The token's audience is not accepted."
    default: return `The token's ${error.claim} claim is not valid.`
  }
}

/** A short reason for the client; the token itself is never echoed or logged. */
const refusal = (error: unknown): Error => {
  if (error instanceof AuthUnavailableError) return error
  if (error instanceof errors.JWTExpired) return new UnauthorizedError('The token has expired.')
  if (error instanceof errors.JWTClaimValidationFailed) return new UnauthorizedError(claimMessage(error))
  if (error instanceof errors.JOSEAlgNotAllowed) return new UnauthorizedError("The token's algorithm is not allowed.")
  if (error instanceof errors.JWSSignatureVerificationFailed) return new UnauthorizedError("The token's signature is not valid.")
  if (error instanceof errors.JWKSNoMatchingKey) return new UnauthorizedError("No known key matches the token's key id (kid).")
  return new UnauthorizedError('The token is malformed.')
}

const claimText = (claims: JWTPayload, name: string): string => {
  const value = claims[name]
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  throw new InvalidKeyClaimError(`The token has no usable "${name}" claim (a non-empty string is needed).`)
}

const keyOf = (claims: JWTPayload, keyClaim: string, tenantClaim: string | undefined): string => {
  const subject = claimText(claims, keyClaim)
  const key = tenantClaim === undefined ? subject : `${claimText(claims, tenantClaim)}:${subject}`
  // Threat: a token whose subject is "shared" reading everyone's shared data.
  if (key === SHARED_KEY) throw new InvalidKeyClaimError(`The token's "${keyClaim}" claim names the reserved key "shared".`)
  try {
    customScope(key)
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new InvalidKeyClaimError(`The token's ${tenantClaim === undefined ? `"${keyClaim}" claim` : `"${tenantClaim}" and "${keyClaim}" claims`} do not form a valid isolation key: ${error.message}`)
    throw error
  }
  return key
}

/**
 * @example
 * const verifier = createJwtVerifier({ type: 'jwt', secret: process.env.BENTO_JWT_SECRET, audience: 'bento' })
 * const { key } = await verifier.verify(request.headers.get('authorization') ?? undefined)
 */
export const createJwtVerifier = (options: JwtAuthOptions): JwtVerifier => {
  const source = createKeySource(options)
  const key: VerificationKey = source.key
  const algorithms = options.algorithms ?? (options.secret !== undefined ? HMAC_ALGORITHMS : PUBLIC_KEY_ALGORITHMS)
  const verifyOptions = {
    algorithms,
    clockTolerance: Math.floor((options.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS) / 1000),
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  }
  const keyClaim = options.keyClaim ?? DEFAULT_KEY_CLAIM

  return {
    describe: source.describe,
    async verify(authorization) {
      const token = BEARER.exec(authorization ?? '')?.[1]
      if (token === undefined) throw new UnauthorizedError('This server needs a verified identity: send Authorization: Bearer <JWT>.')
      let claims: JWTPayload
      try {
        // Two overloads (a key, or a key getter); both take the same options.
        claims = (key instanceof Uint8Array ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions)).payload
      } catch (error) {
        throw refusal(error)
      }
      return { key: keyOf(claims, keyClaim, options.tenantClaim), claims }
    },
  }
}
