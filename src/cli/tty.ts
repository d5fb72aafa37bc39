/**
 * Terminal decisions in one place: whether Bento may prompt or draw progress,
 * and at which color level each stream is painted. Prompts and progress go to
 * stderr, so `bento … --json | jq` still prompts and stdout stays pure data.
 */
import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance, type ColorSupportLevel } from 'chalk'

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

const levelFor = (stream: { isTTY?: boolean }, detected: typeof supportsColor, env: NodeJS.ProcessEnv): ColorSupportLevel => {
  if (isNoColor(env)) return 0
  // chalk's detection honors FORCE_COLOR for pipes; without it, a pipe gets no color.
  if (!stream.isTTY && env.FORCE_COLOR === undefined) return 0
  return detected ? detected.level : 0
}

export const detectTerminal = (streams: TerminalStreams, env: NodeJS.ProcessEnv): Terminal => {
  const outLevel = levelFor(streams.stdout, supportsColor, env)
  const errLevel = levelFor(streams.stderr, supportsColorStderr, env)
  return {
    interactive: Boolean(streams.stdin.isTTY && streams.stderr.isTTY),
    stderrIsTTY: Boolean(streams.stderr.isTTY),
    paint: new Chalk({ level: outLevel }),
    paintErr: new Chalk({ level: errLevel }),
  }
}

/** A terminal with no color and no prompts: what `--json` output is written with. */
export const plainPaint = (): ChalkInstance => new Chalk({ level: 0 })
