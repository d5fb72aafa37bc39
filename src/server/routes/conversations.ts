/**
 * `/v1/sessions`: conversations as the MUXI page shows them
 * (`{ id, user_id, created_at }`, ids `sess_…`). Each lives in the caller's
 * scope; another scope asking for it gets 404.
 */
import { Hono } from 'hono'
import type { ConversationMessage, ConversationSummary } from '../../core/conversation-model.js'
import { pageQuerySchema, type ConversationListResponse, type MessageListResponse } from '../../api/schemas.js'
import { paginate } from '../../ops/paginate.js'
import type { BentoEnv } from '../context.js'
import { readQuery } from '../validation.js'
import { conversationOptions, type ServerDeps } from '../deps.js'

const toSummary = (conversation: ConversationSummary) => ({
  id: conversation.id,
  user_id: conversation.userId,
  created_at: conversation.createdAt,
  updated_at: conversation.updatedAt,
  message_count: conversation.messageCount,
})

const toWireMessage = (message: ConversationMessage) =>
  ({ role: message.role, content: message.content, created_at: message.createdAt, ...(message.error ? { error: message.error } : {}) })

export const conversationRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend } = deps
  const options = conversationOptions(deps)
  return new Hono<BentoEnv>()
    .post('/v1/sessions', async (c) => {
      const conversation = await backend.createConversation(c.get('scope'), options)
      c.get('bentoState').wrote = true
      return c.json({ id: conversation.id, user_id: conversation.userId, created_at: conversation.createdAt }, 201)
    })
    .get('/v1/sessions', async (c) => {
      const page = readQuery(c, pageQuerySchema)
      const conversations = (await backend.listConversations(c.get('scope'), options)).map(toSummary)
      // Newest first by creation: unlike the last update, it never moves a conversation between pages.
      const { rows, nextCursor } = paginate(conversations, page, (row) => row.created_at, (row) => row.id, 'desc')
      return c.json({ sessions: rows, nextCursor } satisfies ConversationListResponse)
    })
    .get('/v1/sessions/:id/messages', async (c) => {
      const page = readQuery(c, pageQuerySchema)
      const { messages } = await backend.getConversation(c.get('scope'), c.req.param('id'), options)
      // Messages are only ever appended: their position is a stable order.
      const indexed = messages.map((message, index) => ({ index, message }))
      const { rows, nextCursor } = paginate(indexed, page, (row) => row.index, (row) => String(row.index).padStart(10, '0'))
      return c.json({ messages: rows.map(({ message }) => toWireMessage(message)), nextCursor } satisfies MessageListResponse)
    })
    .get('/v1/sessions/:id', async (c) => {
      const { messages, ...conversation } = await backend.getConversation(c.get('scope'), c.req.param('id'), options)
      return c.json({
        ...toSummary({ ...conversation, messageCount: messages.length }),
        messages: messages.map(toWireMessage),
      })
    })
    .delete('/v1/sessions/:id', async (c) => {
      await backend.deleteConversation(c.get('scope'), c.req.param('id'), options)
      c.get('bentoState').wrote = true
      return c.json({ message: 'Session deleted.', id: c.req.param('id') })
    })
}
