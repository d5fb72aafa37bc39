/**
 * A run that names a command loads only that command's definition
 * (src/cli/program.ts): the table it is found in must name each command as its
 * registrar declares it, or `bento <name>` would answer "unknown command".
 */
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import type { CliContext } from '../../src/cli/context.js'
import { COMMANDS, loadRegistrars } from '../../src/cli/program.js'

const ctx = {} as CliContext

describe('the command table', () => {
  it('lists each command under the name its registrar declares', async () => {
    for (const [name, load] of COMMANDS) {
      const program = new Command('bento')
      ;(await load())(program, ctx)
      expect(program.commands.map((command) => command.name())).toEqual([name])
    }
  })

  it('loads one definition for a command named first, every one otherwise', async () => {
    expect(await loadRegistrars(['node', 'bento', 'du', '--json'])).toHaveLength(1)
    for (const args of [[], ['--help', 'du'], ['help', 'du'], ['dux'], ['-V']]) {
      expect(await loadRegistrars(['node', 'bento', ...args])).toHaveLength(COMMANDS.length)
    }
  })
})
