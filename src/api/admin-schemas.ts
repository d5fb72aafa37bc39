/**
 * The wire contract of `/api/admin/*` requests, as zod schemas: the routes
 * validate with them, `GET /api/openapi.json` describes them and the typed
 * client infers its request types from them. Scopes are named as on the
 * command line (a key or a directory name), through the key module.
 */
import { z } from 'zod'
import { scopeFromArg, type Scope } from '../core/keys.js'

export const scopeKindSchema = z.enum(['shared', 'session', 'custom'])

export const scopeArgSchema = z.string().min(1).max(300).transform((raw, ctx): Scope => {
  try {
    return scopeFromArg(raw)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'invalid scope' })
    return z.NEVER
  }
}).meta({ description: 'A scope, named as on the command line: its key or its directory name.' })

export const scopesQuerySchema = z.strictObject({
  kind: z.union([scopeKindSchema, z.array(scopeKindSchema)]).optional().meta({ description: 'Repeat to select several kinds.' }),
  sort: z.enum(['size', 'name', 'age']).optional(),
  top: z.coerce.number().int().min(1).max(100_000).optional(),
  groupBy: z.literal('tenant').optional(),
})

export const migrateRequestSchema = z.strictObject({
  from: scopeArgSchema,
  to: scopeArgSchema,
  copy: z.boolean().default(false),
  dryRun: z.boolean().default(false),
}).meta({ id: 'MigrateRequest' })

export const cleanupRequestSchema = z.strictObject({
  olderThanMs: z.number().int().positive(),
  kinds: z.array(scopeKindSchema).min(1).optional(),
  scopes: z.array(scopeArgSchema).min(1).optional(),
  dryRun: z.boolean().default(false),
}).meta({ id: 'CleanupRequest' })

export const quotaRequestSchema = z.strictObject({
  maxBytes: z.number().int().positive().optional().meta({ description: 'Disk the scope may use (vectors and uploads, as du counts them).' }),
  maxDocuments: z.number().int().positive().optional().meta({ description: 'Documents the scope may hold.' }),
}).meta({ id: 'QuotaRequest', description: "The scope's own quota, replacing any it had; a field left out falls back to the server's default." })

const limitSource = z.enum(['scope', 'default', 'none'])
export const quotaReportSchema = z.object({
  key: z.string(),
  quota: z.object({ maxBytes: z.number().int().nullable(), maxDocuments: z.number().int().nullable() }).meta({ description: 'The limits in force; null is unlimited.' }),
  source: z.object({ maxBytes: limitSource, maxDocuments: limitSource }),
  own: z.object({ maxBytes: z.number().int().optional(), maxDocuments: z.number().int().optional() }).nullable(),
  usage: z.object({ bytes: z.number().int(), documents: z.number().int() }),
}).meta({ id: 'QuotaReport' })

export type QuotaRequest = z.input<typeof quotaRequestSchema>
export type QuotaReportWire = z.infer<typeof quotaReportSchema>
export type ScopesQuery = z.input<typeof scopesQuerySchema>
export type MigrateRequest = z.input<typeof migrateRequestSchema>
export type CleanupRequest = z.input<typeof cleanupRequestSchema>
