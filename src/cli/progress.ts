/**
 * Progress on stderr for operations that take a while: nothing for the first
 * second (a fast command should not flash a bar), nothing at all when stderr
 * is not a terminal or the output is `--json`.
 */
import { createRequire } from 'node:module'
import type cliProgress from 'cli-progress'
import type { OnProgress, Progress } from '../ops/types.js'
import type { CliContext } from './context.js'

export interface ProgressReporter {
  readonly onProgress: OnProgress
  /** Clears the bar; safe to call more than once. */
  stop(): void
}

const DEFAULT_DELAY_MS = 1000

// Lets the pseudo-terminal tests see a bar without building a data dir that
// takes a second to scan. Only a delay; never changes what is done.
const delayFrom = (env: NodeJS.ProcessEnv): number => {
  const raw = env.BENTO_PROGRESS_DELAY_MS
  const value = raw ? Number(raw) : Number.NaN
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_DELAY_MS
}

// Required only when a bar is drawn, so runs without a terminal never load it.
const loadCliProgress = (): typeof cliProgress => createRequire(import.meta.url)('cli-progress') as typeof cliProgress

const silent: ProgressReporter = { onProgress: () => {}, stop: () => {} }

export const createProgress = (ctx: CliContext, label: string, options: { json?: boolean } = {}): ProgressReporter => {
  if (options.json || !ctx.terminal.stderrIsTTY) return silent
  const startedAt = Date.now()
  const delayMs = delayFrom(ctx.env)
  let bar: cliProgress.SingleBar | undefined
  let counterShown = false
  let stopped = false

  const draw = (progress: Progress): void => {
    const text = progress.label ? ` ${progress.label}` : ''
    if (progress.total !== undefined && progress.total > 0) {
      if (!bar) {
        const cliProgress = loadCliProgress()
        bar = new cliProgress.SingleBar(
          { stream: ctx.errStream, format: `${label} [{bar}] {value}/{total}{text}`, hideCursor: true, clearOnComplete: true, barsize: 30 },
          cliProgress.Presets.shades_classic,
        )
        bar.start(progress.total, progress.done, { text })
      } else {
        bar.setTotal(progress.total)
        bar.update(progress.done, { text })
      }
      return
    }
    ctx.errStream.write(`\r\x1b[2K${label} ${progress.done}${text}`)
    counterShown = true
  }

  return {
    onProgress: (progress) => {
      if (stopped || Date.now() - startedAt < delayMs) return
      draw(progress)
    },
    stop: () => {
      if (stopped) return
      stopped = true
      bar?.stop()
      if (counterShown) ctx.errStream.write('\r\x1b[2K')
    },
  }
}

/**
 * Runs `work` with the progress bar of `createProgress`, cleared before this returns
 * or throws, so what the command prints next starts on a clean line.
 *
 * @example
 * const result = await withProgress(ctx, 'Compacting', { json }, (onProgress) => compactScopes(backend, scopes, { onProgress }))
 */
export const withProgress = async <T>(ctx: CliContext, label: string, options: { json?: boolean }, work: (onProgress: OnProgress) => Promise<T>): Promise<T> => {
  const progress = createProgress(ctx, label, options)
  try {
    return await work(progress.onProgress)
  } finally {
    progress.stop()
  }
}
