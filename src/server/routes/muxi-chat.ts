/**
 * `POST /v1/chat`, as the MUXI page calls it: `{ message, session_id?, user_id? }`
 * (and `stream: true`, or `Accept: text/event-stream`, for server-sent events).
 * Without `session_id` a new session (conversation) is created and returned; with
 * one, the turn continues it. Answer: `{ session_id, user_id, response, model, sources }`.
 *
 * `user_id` in the body names the user as `X-Muxi-User-Id` does, with the same trust:
 * only in custom isolation without verified identity. With `--auth jwt` it must match the
 * token (403 otherwise); in `none` and `session` isolation it is a 400, never ignored.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { muxiChatRequestSchema as muxiChatSchema } from '../../api/chat-schemas.js'
import { ForbiddenError, InvalidInputError } from '../../core/errors.js'
import { ISOLATION_KEY_HEADER, MUXI_USER_HEADER } from '../../middleware/isolation.js'
import { readJsonBody } from '../body.js'
import { completeTurn, streamTurn } from '../chat/respond.js'
import { prepareTurn } from '../chat/turn.js'
import type { BentoEnv } from '../context.js'
import { conversationOptions, type ServerDeps } from '../deps.js'

type MuxiChatBody = z.infer<typeof muxiChatSchema>
const BODY = 'muxiChatBody'

/**
 * Reads the body before isolation, so its `user_id` can name the scope. Runs after the
 * access key and token checks: an unauthenticated caller's body is never parsed.
 */
export const muxiChatIdentity = (deps: ServerDeps): MiddlewareHandler<BentoEnv> =>
  async function muxiChatIdentity(c, next) {
    const body = await readJsonBody(c, muxiChatSchema, deps.config.maxJsonBytes)
    c.set(BODY, body)
    if (body.user_id !== undefined) {
      const userId = String(body.user_id)
      if (deps.config.isolation !== 'custom') {
        throw new InvalidInputError(`This server does not isolate users (isolation ${deps.config.isolation}), so user_id would be ignored. Remove it, or start the server with --isolation custom.`)
      }
      const verified = c.var.identity?.key
      if (verified !== undefined) {
        if (verified !== userId) throw new ForbiddenError('user_id does not match the verified identity of this request.')
      } else if (Object.hasOwn(c.var, 'isolationKey')) {
        if (String(c.var.isolationKey) !== userId) throw new ForbiddenError('user_id does not match the user this request is made for.')
      } else {
        const header = c.req.header(ISOLATION_KEY_HEADER) || c.req.header(MUXI_USER_HEADER)
        if (header !== undefined && header !== userId) throw new InvalidInputError(`user_id and the ${MUXI_USER_HEADER} header name different users.`)
        c.set('isolationKey', userId)
      }
    }
    await next()
  }

export const muxiChatRoutes = (deps: ServerDeps): Hono<BentoEnv> =>
  new Hono<BentoEnv>().post('/v1/chat', async (c) => {
    const body = c.get(BODY) as MuxiChatBody
    const scope = c.get('scope')
    let sessionId = body.session_id
    if (sessionId === undefined) {
      sessionId = (await deps.backend.createConversation(scope, conversationOptions(deps))).id
      c.get('bentoState').wrote = true
    }
    const turn = await prepareTurn(deps, scope, {
      messages: [{ role: 'user', content: body.message }],
      ragEnabled: true,
      conversationId: sessionId,
      ...(body.model === undefined ? {} : { model: body.model }),
    }, c.get('grantedScopes'))
    const ids = { session_id: sessionId, user_id: scope.key }
    if (body.stream === true || (body.stream === undefined && (c.req.header('accept') ?? '').includes('text/event-stream'))) {
      return streamTurn(deps, c, turn, ids)
    }
    const answer = await completeTurn(deps, c, turn)
    return c.json({ ...ids, response: answer.content, model: answer.model, sources: turn.sources })
  })
