/**
 * Request bodies: JSON parsed once and validated with zod. Unknown fields are
 * ignored (stripped), so Bento front ends that send extra fields keep working;
 * missing or mistyped fields are a 400 naming the field.
 */
import type { Context } from 'hono'
import type { z } from 'zod'
import { InvalidInputError } from '../core/errors.js'

export const readJsonBody = async <T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> => {
  let raw: unknown
  try {
    const text = await c.req.text()
    raw = text.trim() === '' ? {} : JSON.parse(text)
  } catch {
    throw new InvalidInputError('The request body is not valid JSON.')
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    throw new InvalidInputError(`Invalid request body: ${problems.join('; ')}.`)
  }
  return parsed.data
}
