/** The conversation contract on the filesystem backend: the JSON files of core/conversations.ts. */
import { appendMessages, createConversation, deleteConversation, getConversation, listConversations } from '../conversations.js'
import type { Layout } from '../layout.js'
import type { ConversationStorage } from './contract/conversations.js'

export const fsConversations = (layout: Layout): ConversationStorage => ({
  createConversation: (scope, options) => createConversation(layout, scope, options),
  getConversation: (scope, id, options) => getConversation(layout, scope, id, options),
  listConversations: (scope, options) => listConversations(layout, scope, options),
  appendConversationMessages: (scope, id, messages, options) => appendMessages(layout, scope, id, messages, options),
  deleteConversation: (scope, id, options) => deleteConversation(layout, scope, id, options),
})
