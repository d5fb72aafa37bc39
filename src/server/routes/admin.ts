/**
 * `/api/admin/*`: the CLI's operations over HTTP (the same op modules, the same
 * JSON results as `--json`). Admin key only; disabled when none is configured.
 * Scopes are named as the CLI names them (`scopeFromArg`): a key or a directory name.
 */
import { resolveExistingScope } from '../../ops/resolve-scope.js'
import { Hono } from 'hono'
import { InvalidInputError } from '../../core/errors.js'
import type { ScopeKind } from '../../core/keys.js'
import { cleanupRequestSchema, migrateRequestSchema, quotaRequestSchema, scopeArgSchema, scopesQuerySchema, type QuotaReportWire } from '../../api/admin-schemas.js'
import { effectiveQuota, quotaReport } from '../../ops/quota.js'
import { parseInput } from '../validation.js'
import { readJsonBody } from '../body.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'

// Loaded on first use: the ops index pulls in the ingest pipeline (pdfjs, mammoth) for `add`.
const loadOps = () => import('../../ops/index.js')

const scopeParam = (raw: string) => {
  const parsed = scopeArgSchema.safeParse(raw)
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues[0]?.message ?? 'Invalid scope.')
  return parsed.data
}

export const adminRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend } = deps
  return new Hono<BentoEnv>()
    .get('/api/admin/scopes', async (c) => {
      const { kind, ...rest } = parseInput(scopesQuerySchema, { ...c.req.query(), ...(c.req.queries('kind') ? { kind: c.req.queries('kind') } : {}) }, 'query', 'query parameter')
      const { diskUsage } = await loadOps()
      const kinds: ScopeKind[] | undefined = kind === undefined ? undefined : Array.isArray(kind) ? kind : [kind]
      return c.json(await diskUsage(backend, { ...rest, ...(kinds ? { kinds } : {}), quotaDefaults: deps.config.quota }))
    })
    .get('/api/admin/scopes/:scope', async (c) => {
      const parsed = scopeArgSchema.safeParse(c.req.param('scope'))
      if (!parsed.success) throw new InvalidInputError(parsed.error.issues[0]?.message ?? 'Invalid scope.')
      const { inspectScope } = await loadOps()
      // A bare session id names the session when no custom scope has that key, as in the CLI.
      const scope = await resolveExistingScope(backend, parsed.data)
      return c.json(await inspectScope(backend, scope, { sessionTtlMs: deps.config.sessionTtlMs, quotaDefaults: deps.config.quota }))
    })
    .get('/api/admin/scopes/:scope/quota', async (c) => c.json(await quotaReport(backend, scopeParam(c.req.param('scope')), deps.config.quota) satisfies QuotaReportWire))
    .put('/api/admin/scopes/:scope/quota', async (c) => {
      const scope = scopeParam(c.req.param('scope'))
      const body = await readJsonBody(c, quotaRequestSchema, deps.config.maxJsonBytes)
      await backend.setQuota(scope, body)
      return c.json(await quotaReport(backend, scope, deps.config.quota) satisfies QuotaReportWire)
    })
    .delete('/api/admin/scopes/:scope/quota', async (c) => {
      const scope = scopeParam(c.req.param('scope'))
      await backend.setQuota(scope, undefined)
      return c.json(await quotaReport(backend, scope, deps.config.quota) satisfies QuotaReportWire)
    })
    .post('/api/admin/migrate', async (c) => {
      const body = await readJsonBody(c, migrateRequestSchema, deps.config.maxJsonBytes)
      const { applyMigrate, planMigrate } = await loadOps()
      const targetQuota = await effectiveQuota(backend, body.to, deps.config.quota)
      const plan = await planMigrate(backend, { from: await resolveExistingScope(backend, body.from), to: body.to, copy: body.copy, dryRun: body.dryRun, targetQuota })
      return c.json(await applyMigrate(backend, plan, { dryRun: body.dryRun }))
    })
    .post('/api/admin/cleanup', async (c) => {
      const body = await readJsonBody(c, cleanupRequestSchema, deps.config.maxJsonBytes)
      const { applyCleanup, planCleanup } = await loadOps()
      const plan = await planCleanup(backend, {
        olderThanMs: body.olderThanMs,
        now: deps.now(),
        dryRun: body.dryRun,
        ...(body.kinds ? { kinds: body.kinds } : {}),
        ...(body.scopes ? { scopes: body.scopes } : {}),
      })
      return c.json(await applyCleanup(backend, plan, { dryRun: body.dryRun }))
    })
}
