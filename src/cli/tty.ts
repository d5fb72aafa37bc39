/**
 * Terminal decisions in one place: whether Bento may prompt or draw progress,
 * and at which color level each stream is painted. Prompts and progress go to
 * stderr, so `bento … --json | jq` still prompts and stdout stays pure data.
 */
import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from 'chalk'

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

export const detectTerminal = (streams: TerminalStreams, env: NodeJS.ProcessEnv): Terminal => {
  const noColor = isNoColor(env)
  const outLevel = noColor || !streams.stdout.isTTY ? 0 : supportsColor ? supportsColor.level : 0
  const errLevel = noColor || !streams.stderr.isTTY ? 0 : supportsColorStderr ? supportsColorStderr.level : 0
  return {
    interactive: Boolean(streams.stdin.isTTY && streams.stderr.isTTY),
    stderrIsTTY: Boolean(streams.stderr.isTTY),
    paint: new Chalk({ level: outLevel }),
    paintErr: new Chalk({ level: errLevel }),
  }
}

/** A terminal with no color and no prompts: what `--json` output is written with. */
export const plainPaint = (): ChalkInstance => new Chalk({ level: 0 })
