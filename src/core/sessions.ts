/**
 * Random ids for browser sessions (isolation scopes) and conversations.
 * Both come from `crypto.randomBytes(16)`: 128 bits, so an id cannot be
 * guessed to reach another user's scope (the seed's ids were not secure).
 */
import { randomBytes } from 'node:crypto'

const SESSION_ID_BYTES = 16

export { DEFAULT_SESSION_TTL_MS } from './defaults.js'
const CONVERSATION_ID = /^sess_[0-9a-f]{32}$/

/**
 * A new session id: 32 lowercase hex digits (128 random bits), valid for `sessionScope`.
 *
 * @example
 * const id = createSessionId() // 'c0ffee…' (32 hex)
 * const scope = sessionScope(id)
 */
export const createSessionId = (): string => randomBytes(SESSION_ID_BYTES).toString('hex')

/** A new conversation id, MUXI style: `sess_` + 32 hex digits. */
export const createConversationId = (): string => `sess_${randomBytes(SESSION_ID_BYTES).toString('hex')}`

/** True for ids `createConversationId` makes; anything else never reaches a path. */
export const isConversationId = (raw: string): boolean => CONVERSATION_ID.test(raw)
