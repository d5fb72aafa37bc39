/**
 * `/v1/sessions`: conversations as the MUXI page shows them
 * (`{ id, user_id, created_at }`, ids `sess_…`). Each lives in the caller's
 * scope; another scope asking for it gets 404.
 */
import { Hono } from 'hono'
import { createConversation, deleteConversation, getConversation, listConversations, type ConversationSummary } from '../../core/conversations.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

const toSummary = (conversation: ConversationSummary) => ({
  id: conversation.id,
  user_id: conversation.userId,
  created_at: conversation.createdAt,
  updated_at: conversation.updatedAt,
  message_count: conversation.messageCount,
})

export const conversationRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { layout } = deps.backend
  const options = { ttlMs: deps.config.conversationTtlMs }
  return new Hono<BentoEnv>()
    .post('/v1/sessions', async (c) => {
      const conversation = await createConversation(layout, c.get('scope'), options)
      c.get('bentoState').wrote = true
      return c.json({ id: conversation.id, user_id: conversation.userId, created_at: conversation.createdAt }, 201)
    })
    .get('/v1/sessions', async (c) => c.json({ sessions: (await listConversations(layout, c.get('scope'), options)).map(toSummary) }))
    .get('/v1/sessions/:id', async (c) => {
      const { messages, ...conversation } = await getConversation(layout, c.get('scope'), c.req.param('id'), options)
      return c.json({
        ...toSummary({ ...conversation, messageCount: messages.length }),
        messages: messages.map((message) => ({ role: message.role, content: message.content, created_at: message.createdAt, ...(message.error ? { error: message.error } : {}) })),
      })
    })
    .delete('/v1/sessions/:id', async (c) => {
      await deleteConversation(layout, c.get('scope'), c.req.param('id'), options)
      c.get('bentoState').wrote = true
      return c.json({ message: 'Session deleted.', id: c.req.param('id') })
    })
}
