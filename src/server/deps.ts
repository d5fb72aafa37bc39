/** What every route module is built from: one backend, the resolved config, the chat upstream. */
import type { Logger } from 'pino'
import type { StorageBackend } from '../core/backend/types.js'
import type { ConversationOptions } from '../core/conversation-model.js'
import type { AccessChecker } from './access-keys.js'
import type { JwtVerifier } from './auth/verify.js'
import type { ChatUpstream } from './chat/upstream.js'
import type { BentoServerConfig } from './options.js'

export interface ServerDeps {
  backend: StorageBackend
  config: BentoServerConfig
  access: AccessChecker
  /** Present when an OpenRouter key is configured. */
  upstream: ChatUpstream | undefined
  logger: Logger | undefined
  /** The server's clock (ms since the epoch): `Date.now` unless a test injected one. */
  now: () => number
  /** Present with `auth: { type: 'jwt' }`. */
  auth: JwtVerifier | undefined
}

/** How this server keeps conversations: its TTL, decided by its clock (tests inject one instead of sleeping). */
export const conversationOptions = (deps: ServerDeps): ConversationOptions => ({
  ttlMs: deps.config.conversationTtlMs,
  now: () => new Date(deps.now()),
})
