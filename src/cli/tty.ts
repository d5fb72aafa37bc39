/**
 * Terminal decisions in one place: whether Bento may prompt or draw progress,
 * and at which color level each stream is painted. Prompts and progress go to
 * stderr, so `bento … --json | jq` still prompts and stdout stays pure data.
 */
import type { ChalkInstance, ColorSupportLevel } from 'chalk'

export interface Terminal {
  /** stdin and stderr are terminals: prompts may be shown. */
  readonly interactive: boolean
  /** stderr is a terminal: progress may be drawn. */
  readonly stderrIsTTY: boolean
  /** Paints what goes to stdout (level 0 when not a terminal or NO_COLOR). */
  readonly paint: ChalkInstance
  /** Paints messages on stderr. */
  readonly paintErr: ChalkInstance
}

export interface TerminalStreams {
  stdin: { isTTY?: boolean }
  stdout: { isTTY?: boolean }
  stderr: { isTTY?: boolean }
}

/** no-color.org: present and not empty disables color, whatever else says. */
export const isNoColor = (env: NodeJS.ProcessEnv): boolean => env.NO_COLOR !== undefined && env.NO_COLOR !== ''

const levelFor = (stream: { isTTY?: boolean }, detected: { level: ColorSupportLevel } | false, env: NodeJS.ProcessEnv): ColorSupportLevel => {
  if (isNoColor(env)) return 0
  // chalk's detection honors FORCE_COLOR for pipes; without it, a pipe gets no color.
  if (!stream.isTTY && env.FORCE_COLOR === undefined) return 0
  return detected ? detected.level : 0
}

/** True when neither stream can get color whatever chalk detects (levelFor answers 0 for both). */
const colorless = (streams: TerminalStreams, env: NodeJS.ProcessEnv): boolean =>
  isNoColor(env) || (!streams.stdout.isTTY && !streams.stderr.isTTY && env.FORCE_COLOR === undefined)

/**
 * Loads chalk only when a stream may get color: a piped run (`bento du --json | jq`, the tests'
 * child processes) is painted by `plainPaint` and skips chalk's detection, a tenth of the CLI's
 * own start-up (docs/BENCHMARKS.md, "Tenth session: CLI start-up").
 */
export const detectTerminal = async (streams: TerminalStreams, env: NodeJS.ProcessEnv): Promise<Terminal> => {
  const interactive = Boolean(streams.stdin.isTTY && streams.stderr.isTTY)
  const stderrIsTTY = Boolean(streams.stderr.isTTY)
  if (colorless(streams, env)) return { interactive, stderrIsTTY, paint: plainPaint(), paintErr: plainPaint() }
  const { Chalk, supportsColor, supportsColorStderr } = await import('chalk')
  return {
    interactive,
    stderrIsTTY,
    paint: new Chalk({ level: levelFor(streams.stdout, supportsColor, env) }),
    paintErr: new Chalk({ level: levelFor(streams.stderr, supportsColorStderr, env) }),
  }
}

/**
 * What chalk paints at level 0, without chalk: every style returns its text unchanged (several
 * parts joined by a space), `visible` returns nothing. A terminal with no color and no prompts:
 * what `--json` output and piped runs are written with. Test: test/cli/tty.test.ts.
 */
export const plainPaint = (): ChalkInstance => {
  const join = (parts: unknown[]): string => (parts.length === 1 ? '' + (parts[0] as string) : parts.join(' '))
  const chain = (hidden: boolean): ChalkInstance => {
    const paint = (...parts: unknown[]) => (hidden ? '' : join(parts))
    const styled = new Proxy(paint, {
      get: (target, name) => {
        if (name === 'level') return 0
        if (name === 'visible') return chain(true)
        if (typeof name === 'symbol') return Reflect.get(target, name)
        // Color models (`rgb(…)`, `hex(…)`, `ansi256(…)`) take their color first, then paint like the rest.
        if (MODELS.has(name)) return () => styled
        return styled
      },
    }) as unknown as ChalkInstance
    return styled
  }
  return chain(false)
}

const MODELS = new Set(['rgb', 'hex', 'ansi256', 'bgRgb', 'bgHex', 'bgAnsi256'])
