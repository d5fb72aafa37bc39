/**
 * A run with no color skips loading chalk (src/cli/tty.ts): its stand-in must
 * paint exactly what chalk paints at level 0, and color must still reach a terminal.
 */
import { Chalk, supportsColor, type ChalkInstance } from 'chalk'
import { describe, expect, it } from 'vitest'
import { detectTerminal, plainPaint } from '../../src/cli/tty.js'

const uses = (paint: ChalkInstance): unknown[] => [
  paint.bold('total'),
  paint.red.bold('over', 'quota'),
  paint.dim(42),
  paint.green(''),
  paint.cyan(),
  paint.yellow.dim('a', 1, null),
  paint.hex('#ff0000')('hex'),
  paint.visible('hidden'),
  paint.visible.red('hidden'),
  paint.level,
]

describe('terminal colors', () => {
  it('paints without chalk exactly as chalk does at level 0', () => {
    expect(uses(plainPaint())).toEqual(uses(new Chalk({ level: 0 })))
  })

  it('paints pipes and NO_COLOR plain, and a forced pipe with chalk', async () => {
    const pipes = { stdin: {}, stdout: {}, stderr: {} }
    const tty = { stdin: { isTTY: true }, stdout: { isTTY: true }, stderr: { isTTY: true } }
    expect((await detectTerminal(pipes, {})).paint.red('x')).toBe('x')
    expect((await detectTerminal(tty, { NO_COLOR: '1' })).paintErr.red('x')).toBe('x')
    // chalk reads FORCE_COLOR from the process when it loads: a forced pipe gets the level chalk detected.
    const forced = (await detectTerminal(pipes, { FORCE_COLOR: '1' })).paint
    expect(forced.level).toBe(supportsColor ? supportsColor.level : 0)
    forced.level = 1
    expect(forced.red('x')).toBe('\u001B[31mx\u001B[39m')
  })
})
