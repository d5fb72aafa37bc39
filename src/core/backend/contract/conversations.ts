/**
 * Conversations (the MUXI page's sessions) through the storage contract: the
 * server's sessions routes, chat turns and muxi chat reach them only here, so a
 * conversation started on one replica continues on any other.
 *
 * Every backend keeps the rules of core/conversation-model.ts: a conversation is
 * bound to its scope (another scope, a malformed id, an expired one: `NotFoundError`),
 * expiry is `ttlMs` of idleness and removes it when next seen, appends keep the
 * newest `maxMessages`, and writes hold the scope's lock (`LockedError` after
 * `lockWaitMs`). Tests: test/core/backend/conformance/conversations.ts.
 */
import type { Conversation, ConversationOptions, ConversationSummary, NewConversationMessage } from '../../conversation-model.js'
import type { Scope } from '../../keys.js'

export interface ConversationStorage {
  /** Starts an empty conversation in the scope (creating the scope when it has nothing yet). */
  createConversation(scope: Scope, options?: ConversationOptions): Promise<Conversation>
  /** The conversation with its messages. */
  getConversation(scope: Scope, id: string, options?: ConversationOptions): Promise<Conversation>
  /** Every live conversation of the scope, newest activity first; damaged ones are left out. */
  listConversations(scope: Scope, options?: ConversationOptions): Promise<ConversationSummary[]>
  /** Appends a turn's messages to a live conversation and returns it; `InvalidInputError` for no messages. */
  appendConversationMessages(scope: Scope, id: string, messages: NewConversationMessage[], options?: ConversationOptions): Promise<Conversation>
  deleteConversation(scope: Scope, id: string, options?: ConversationOptions): Promise<void>
}
