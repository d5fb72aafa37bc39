/**
 * What travels with a request: the `isolationKey` an operator's middleware may
 * set, the `Scope` the isolation middleware resolves from it (handlers read only
 * this), and bookkeeping for the request log.
 */
import type { Scope } from '../core/keys.js'
import type { VerifiedIdentity } from './auth/verify.js'

/** Filled while a request runs, read by the request log after it. */
export interface RequestState {
  scope?: Scope
  /** The matched route pattern (never the raw path: paths can hold keys). */
  route?: string
  /** True once a route changed the scope's data, so its activity is touched. */
  wrote?: boolean
}

export interface BentoVariables {
  /** Set by the operator's middleware to choose the scope (custom and session modes). */
  isolationKey?: unknown
  /** Set by the `jwt` auth middleware: the verified token's key and claims. */
  identity?: VerifiedIdentity
  /**
   * Set by the operator's middleware: more scopes (isolation keys) this request may read.
   * Search and chat retrieval rank across them and the caller's own; writes stay in its own.
   */
  readScopes?: unknown
  /** The granted scopes, resolved through the key module (the caller's own left out). */
  grantedScopes?: Scope[]
  /** The resolved scope; set by the isolation middleware on data routes only. */
  scope: Scope
  bentoState: RequestState
}

export interface BentoEnv {
  // Open to the operator's own variables (the seed's `c.set('user', …)` / `c.get('user')`).
  Variables: BentoVariables & { [name: string]: unknown }
}
