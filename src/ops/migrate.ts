/**
 * `bento migrate <from> --to <to>`: move (or copy) a scope's data to another
 * scope — shared to a user, a user to another, or back to shared — the job the
 * seed's migration guide did with a hand `mv`.
 */
import { DEFAULT_LOCK_WAIT_MS } from '../core/defaults.js'
import { BusyError, ConflictError, EmbedderMismatchError, InvalidInputError, NotFoundError, RefusedError } from '../core/errors.js'
import type { ScopeQuota, StorageBackend } from '../core/backend/types.js'
import type { Scope } from '../core/keys.js'
import type { StoreStats } from '../core/store/types.js'
import { pendingNotes } from './pending.js'
import { recoverPendingOperations } from './recover.js'
import { assertWithinQuota, isLimited } from './quota.js'
import type { MigrateResult, OnProgress } from './types.js'

export interface MigrateOptions {
  from: Scope
  to: Scope
  /** Keep the source. Default false (the source is removed once its data is in the target). */
  copy?: boolean
  /** How long to wait for the two scope locks. Default 2000 ms. */
  lockWaitMs?: number
  /**
   * The target's quota in force (`effectiveQuota`): a move that would take the target past it
   * is refused at planning, before anything moves (`QuotaExceededError`, exit 3 / HTTP 413).
   */
  targetQuota?: ScopeQuota
  /**
   * A plan for a dry run: changes nothing, so an unfinished operation on either scope is
   * reported (`BusyError` naming it) rather than finished first, as a real migrate does.
   */
  dryRun?: boolean
}

export interface MigratePlan {
  from: Scope
  to: Scope
  copy: boolean
  /** `rename` when the target is missing or empty (constant time), else `merge`. */
  mode: 'rename' | 'merge'
  documents: number
  vectors: number
  uploads: number
  conversations: number
  memories: number
  bytes: number
  lockWaitMs: number
  /** The dry-run answer (what `applyMigrate` would report). */
  result: MigrateOutcome
}

export interface ApplyMigrateOptions {
  onProgress?: OnProgress
  dryRun?: boolean
}

export interface MigrateOutcome extends MigrateResult {
  /** Documents, memories or conversations added under a new id because the target used theirs (never overwritten). */
  renamed: Array<{ from: string; to: string }>
  /** Source documents the target already held with identical content. */
  alreadyPresent: number
  memories: number
}

interface ScopeContent {
  stats: StoreStats | undefined
  documents: number
  vectors: number
  memories: number
  uploads: number
  conversations: number
  bytes: number
}

/** What planning needs of a scope, from the backend's stored counts (no store is loaded where the backend can avoid it). */
const readContent = async (backend: StorageBackend, scope: Scope, lockHeld: boolean): Promise<ScopeContent> => {
  const stats = await backend.storeStats(scope, 'documents', { lockHeld })
  const holdings = await backend.holdings(scope)
  const usage = await backend.usage(scope)
  return {
    stats,
    documents: holdings.documents,
    vectors: stats?.live ?? 0,
    memories: holdings.memories,
    uploads: holdings.uploads,
    conversations: holdings.conversations,
    bytes: usage.totalBytes,
  }
}

const isEmpty = (content: ScopeContent) =>
  content.vectors === 0 && content.memories === 0 && content.uploads === 0 && content.conversations === 0

/**
 * Refuses a merge of stores whose vectors are not comparable, saying what to do
 * instead. The target must also match the configured embedder: the merge adds
 * to it through the backend, which refuses writes from another embedder, and a
 * merge that fails halfway would leave a journal entry that can never finish.
 */
const assertCompatible = (backend: StorageBackend, from: Scope, to: Scope, source: StoreStats | undefined, target: StoreStats | undefined): void => {
  // Checked first: a foreign store's dimension alone says nothing about which model made it (test/ops/adopt.test.ts).
  for (const [scope, stats] of [[from, source], [to, target]] as const) {
    if (stats && stats.live > 0 && stats.embedderId === undefined) {
      throw new EmbedderMismatchError(
        `Cannot merge "${from.key}" into "${to.key}": the embedder of "${scope.key}" is unknown (another tool such as LangChain wrote its ${stats.dimension ?? '?'}-dimensional vectors); ` +
          `declare it first with \`bento adopt ${scope.key} --embedder <id>\`.`,
      )
    }
  }
  if (target && target.live > 0) {
    const { id, dimension } = backend.embedder
    if ((target.embedderId && target.embedderId !== id) || (target.dimension !== undefined && target.dimension !== dimension)) {
      throw new RefusedError(
        `Cannot merge into "${to.key}": it was built with embedder ${target.embedderId ?? `of dimension ${target.dimension}`}, ` +
          `but the configured embedder is ${id}. Run the migration with that store's embedder configured, or migrate into an empty scope.`,
      )
    }
  }
  if (!source || !target || source.live === 0 || target.live === 0) return
  const differences: string[] = []
  if (source.embedderId && target.embedderId && source.embedderId !== target.embedderId) differences.push(`embedder ${source.embedderId} vs ${target.embedderId}`)
  if (source.dimension !== undefined && target.dimension !== undefined && source.dimension !== target.dimension) differences.push(`dimension ${source.dimension} vs ${target.dimension}`)
  if (source.space !== target.space) differences.push(`space ${source.space} vs ${target.space}`)
  if (differences.length > 0) {
    throw new RefusedError(
      `Cannot merge "${from.key}" into "${to.key}": their vectors are not comparable (${differences.join(', ')}). ` +
        `Migrate into an empty scope instead, or re-add the source's files to "${to.key}" with \`bento add\`.`,
    )
  }
}

/**
 * What a migration would do. Changes nothing (except finishing an earlier crashed operation).
 *
 * @example
 * const plan = await planMigrate(backend, { from: sharedScope(), to: customScope('user-123') })
 * const result = await applyMigrate(backend, plan)
 */
export const planMigrate = async (backend: StorageBackend, options: MigrateOptions): Promise<MigratePlan> => {
  const { from, to } = options
  if (from.kind === to.kind && from.dir === to.dir) throw new InvalidInputError(`Source and target are the same scope ("${from.key}").`)
  if (options.dryRun) {
    // Test: test/reliability/read-only-pending.test.ts.
    const [pending] = await pendingNotes(backend, [from, to])
    if (pending) throw new BusyError(`${pending.message[0]!.toUpperCase()}${pending.message.slice(1)}.`)
  } else {
    await recoverPendingOperations(backend)
  }
  if (!(await backend.scopeExists(from))) throw new NotFoundError(`Scope "${from.key}" does not exist.`)
  for (const scope of [from, to]) await backend.assertScopeSafe(scope)
  const source = await readContent(backend, from, false)
  const target = await readContent(backend, to, false)
  const mode = isEmpty(target) ? 'rename' : 'merge'
  if (mode === 'merge') assertCompatible(backend, from, to, source.stats, target.stats)
  // Conservative: a merge that skips name clashes adds less than the source holds.
  if (options.targetQuota !== undefined && isLimited(options.targetQuota)) {
    assertWithinQuota(to, options.targetQuota, { bytes: target.bytes, documents: target.documents }, { bytes: source.bytes, documents: source.documents })
  }
  const plan: Omit<MigratePlan, 'result'> = {
    from,
    to,
    copy: options.copy === true,
    mode,
    documents: source.documents,
    vectors: source.vectors,
    uploads: source.uploads,
    conversations: source.conversations,
    memories: source.memories,
    bytes: source.bytes,
    lockWaitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
  }
  return { ...plan, result: resultOf(plan, true) }
}

const resultOf = (plan: Omit<MigratePlan, 'result'>, dryRun: boolean): MigrateOutcome => ({
  from: plan.from.key,
  to: plan.to.key,
  mode: plan.mode,
  copy: plan.copy,
  dryRun,
  documents: plan.documents,
  vectors: plan.vectors,
  uploads: plan.uploads,
  conversations: plan.conversations,
  bytes: plan.bytes,
  memories: plan.memories,
  renamed: [],
  alreadyPresent: 0,
})

/**
 * Carries out a plan under both scopes' locks. The plan is re-validated under
 * the locks (a target filled since planning is a `ConflictError`, never a
 * silent merge); the backend makes the move or merge all or nothing (the fs
 * backend's journal intent is completed by the next command after a crash).
 */
export const applyMigrate = async (backend: StorageBackend, plan: MigratePlan, options: ApplyMigrateOptions = {}): Promise<MigrateOutcome> => {
  if (options.dryRun) return resultOf(plan, true)
  const { from, to } = plan
  await recoverPendingOperations(backend)
  const outcome = await backend.withScopesLocked([from, to], async () => {
    if (!(await backend.scopeExists(from))) throw new NotFoundError(`Scope "${from.key}" does not exist.`)
    for (const scope of [from, to]) await backend.assertScopeSafe(scope)
    const target = await readContent(backend, to, true)
    const mode = isEmpty(target) ? 'rename' : 'merge'
    if (mode !== plan.mode) throw new ConflictError(`Scope "${to.key}" changed since the migration was planned; plan it again.`)
    const source = await readContent(backend, from, true)
    if (mode === 'merge') assertCompatible(backend, from, to, source.stats, target.stats)
    const result = resultOf(plan, false)
    const moveOptions = { copy: plan.copy, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }
    if (mode === 'rename') {
      await backend.moveScope(from, to, moveOptions)
      return result
    }
    const counts = await backend.mergeScope(from, to, moveOptions)
    return Object.assign(result, {
      documents: counts.documents,
      vectors: counts.vectors,
      uploads: counts.uploads,
      conversations: counts.conversations,
      memories: counts.memories,
      renamed: counts.renamed,
      alreadyPresent: counts.alreadyPresent,
    })
  }, { waitMs: plan.lockWaitMs })
  // A migrate is a write: the target was active now, or a cleanup right after it would judge the
  // moved data by the source's old activity and remove it (test/cli/migrate.test.ts).
  backend.touch(to)
  return outcome
}
