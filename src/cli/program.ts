/**
 * The `bento` program: its name, version and the list of commands. Each
 * command lives in `commands/<name>.ts` and exports a registrar that declares
 * its arguments, options and help, and an action that parses the options and
 * then imports what the command does from `actions/<name>.ts`: every run loads
 * every definition (for help, usage errors and docs/CLI.md) but only its own
 * action (docs/ARCHITECTURE.md, "What the CLI loads").
 *
 * To add a command (e.g. `serve`): write `commands/serve.ts` exporting
 * `registerServe: CommandRegistrar`, and append it to `REGISTRARS` below.
 */
import { Command, type CommanderError } from 'commander'
import type { CliContext } from './context.js'
import { registerAdd } from './commands/add.js'
import { registerQuota } from './commands/quota.js'
import { registerCleanup } from './commands/cleanup.js'
import { registerDb } from './commands/db.js'
import { registerDu } from './commands/du.js'
import { registerExport } from './commands/export.js'
import { registerImport } from './commands/import.js'
import { registerInspect } from './commands/inspect.js'
import { registerLs } from './commands/ls.js'
import { registerMigrate } from './commands/migrate.js'
import { registerSearch } from './commands/search.js'
import { registerReindex } from './commands/reindex.js'
import { registerAdopt } from './commands/adopt.js'
import { registerCompact } from './commands/compact.js'
import { registerServe } from './commands/serve.js'

/**
 * Declares one command on the program. The action must return a promise,
 * never call `process.exit`, and throw a `BentoError` for a failure; a command
 * that finishes but must report a status sets `ctx.exitCode`.
 *
 * @example
 * export const registerServe: CommandRegistrar = (program, ctx) => {
 *   addDataDirOption(program.command('serve').description('run the HTTP server'))
 *     .action(async (raw) => {
 *       const options = toServeOptions(raw)
 *       const { runServe } = await import('../actions/serve.js')
 *       return runServe(options, ctx)
 *     })
 * }
 */
export type CommandRegistrar = (program: Command, ctx: CliContext) => void

export const REGISTRARS: CommandRegistrar[] = [
  registerMigrate,
  registerCleanup,
  registerInspect,
  registerDu,
  registerLs,
  registerAdd,
  registerQuota,
  registerSearch,
  registerReindex,
  registerCompact,
  registerAdopt,
  registerExport,
  registerImport,
  registerServe,
  registerDb,
]

const DESCRIPTION = `Manage a Bento data dir: per-scope vector stores and uploads.
Safe to run against the data dir of a live server.`

const FOOTER = `
Examples:
  $ bento du --top 10
  $ bento migrate shared --to user-123
  $ bento cleanup --older-than 24h
  $ bento inspect session-abc123

Run "bento <command> --help" for a command's options. Exit codes: 0 ok,
1 failure, 2 usage, 3 refused/not found/unhealthy, 4 locked/busy, 130 cancelled.`

/** Commander errors say `error: …`; Bento's one-line form is `bento: …`. */
export const toBentoLine = (message: string): string => `bento: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}`

// Applied after every registrar ran, so a command added with `addCommand`
// (which does not inherit settings) cannot call process.exit either.
const applyToAll = (command: Command, ctx: CliContext): void => {
  command
    .exitOverride((error: CommanderError) => {
      throw error
    })
    .configureOutput({
      writeOut: (text) => ctx.out(text),
      writeErr: (text) => ctx.err(text),
      outputError: (text, write) => write(`${toBentoLine(text.trimEnd())}\n`),
    })
    .showSuggestionAfterError(true)
  for (const sub of command.commands) applyToAll(sub, ctx)
}

export const createProgram = (ctx: CliContext, registrars: CommandRegistrar[] = REGISTRARS): Command => {
  const program = new Command('bento')
    .description(DESCRIPTION)
    .version(ctx.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', FOOTER)
  for (const register of registrars) register(program, ctx)
  program.helpCommand('help [command]', 'show help for a command')
  applyToAll(program, ctx)
  return program
}
