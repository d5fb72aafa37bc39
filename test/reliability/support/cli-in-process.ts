/**
 * Runs the real CLI program (`main`) in this process with a captured context:
 * the same parsing, ops and error mapping as `bin/bento.js`, without a process
 * start per call, so thousands of hostile arguments fit in the fast set.
 */
import type { CliContext } from '../../../src/cli/context.js'
import { main } from '../../../src/cli/main.js'
import type { Prompter } from '../../../src/cli/prompts.js'
import { plainPaint } from '../../../src/cli/tty.js'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

const refuse = async (): Promise<never> => {
  throw new Error('no prompt expected in a non-interactive run')
}

export const runCli = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => {
  const run = { stdout: '', stderr: '' }
  const ctx: CliContext = {
    version: '0.0.0-test',
    env: { NO_COLOR: '1', ...env },
    terminal: { interactive: false, stderrIsTTY: false, paint: plainPaint(), paintErr: plainPaint() },
    prompts: { confirm: refuse, select: refuse, input: refuse } as unknown as Prompter,
    out: (text) => void (run.stdout += text),
    err: (text) => void (run.stderr += text),
    errStream: process.stderr,
    exitCode: 0,
  }
  const code = await main(['node', 'bento', ...args], ctx)
  return { code, ...run }
}

/** A Node stack frame in output: what a user must never see. */
export const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/
