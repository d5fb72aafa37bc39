/** The conversation contract on the filesystem backend: the JSON files of core/conversations.ts. */
import type { Layout } from '../layout.js'
import type { ConversationStorage } from './contract/conversations.js'

// Loaded on the first conversation call: no CLI command but export/import reads conversations.
const load = () => import('../conversations.js')

export const fsConversations = (layout: Layout): ConversationStorage => ({
  createConversation: async (scope, options) => (await load()).createConversation(layout, scope, options),
  getConversation: async (scope, id, options) => (await load()).getConversation(layout, scope, id, options),
  listConversations: async (scope, options) => (await load()).listConversations(layout, scope, options),
  appendConversationMessages: async (scope, id, messages, options) => (await load()).appendMessages(layout, scope, id, messages, options),
  deleteConversation: async (scope, id, options) => (await load()).deleteConversation(layout, scope, id, options),
})
