/**
 * The `bento` program: its name, version and the list of commands. Each
 * command lives in `commands/<name>.ts` and exports a registrar that declares
 * its arguments, options and help, and an action that parses the options and
 * then imports what the command does from `actions/<name>.ts`. A run that
 * names a command loads only that definition; any other run (help, a typo, no
 * command) loads them all, and only its action (docs/ARCHITECTURE.md, "What
 * the CLI loads").
 *
 * To add a command (e.g. `serve`): write `commands/serve.ts` exporting
 * `registerServe: CommandRegistrar`, and append it to `COMMANDS` below.
 */
import { Command, type CommanderError } from 'commander'
import type { CliContext } from './context.js'

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

/** Every command by the name its registrar declares, in the order of the help. */
export const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<CommandRegistrar>]> = [
  ['migrate', async () => (await import('./commands/migrate.js')).registerMigrate],
  ['cleanup', async () => (await import('./commands/cleanup.js')).registerCleanup],
  ['inspect', async () => (await import('./commands/inspect.js')).registerInspect],
  ['du', async () => (await import('./commands/du.js')).registerDu],
  ['ls', async () => (await import('./commands/ls.js')).registerLs],
  ['add', async () => (await import('./commands/add.js')).registerAdd],
  ['quota', async () => (await import('./commands/quota.js')).registerQuota],
  ['search', async () => (await import('./commands/search.js')).registerSearch],
  ['reindex', async () => (await import('./commands/reindex.js')).registerReindex],
  ['compact', async () => (await import('./commands/compact.js')).registerCompact],
  ['adopt', async () => (await import('./commands/adopt.js')).registerAdopt],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['import', async () => (await import('./commands/import.js')).registerImport],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['db', async () => (await import('./commands/db.js')).registerDb],
]

/**
 * The registrars a command line needs. Commander dispatches to the command its
 * first argument names, so that definition alone answers the run (its help and
 * usage errors included). Anything else — no command, an option first
 * (`--help du` is the program's help), `help`, a typo that needs every name for
 * its suggestion — gets every definition.
 */
export const loadRegistrars = async (argv: string[]): Promise<CommandRegistrar[]> => {
  const named = COMMANDS.filter(([name]) => name === argv[2])
  return Promise.all((named.length === 1 ? named : COMMANDS).map(([, load]) => load()))
}

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

export const createProgram = (ctx: CliContext, registrars: CommandRegistrar[]): Command => {
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
