/**
 * Prompts behind a small interface, so a command asks "which scope?" without
 * knowing about inquirer, and a test can hand it scripted answers. Ctrl+C at
 * any prompt becomes `CancelledError` (exit 130) before anything has changed.
 */
import { CancelledError } from '../core/errors.js'

export interface Choice<T> {
  name: string
  value: T
  description?: string
}

export interface Prompter {
  confirm(message: string, options?: { default?: boolean }): Promise<boolean>
  select<T>(message: string, choices: Array<Choice<T>>): Promise<T>
  /** `validate` answers true, or the message shown while the answer is invalid. */
  input(message: string, options?: { default?: string; validate?: (value: string) => true | string }): Promise<string>
}

const isPromptExit = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')

// Loaded at the first prompt: inquirer costs ~100 ms of startup that scripted runs never use.
const loadInquirer = () => import('@inquirer/prompts')

const cancellable = async <T>(ask: (inquirer: Awaited<ReturnType<typeof loadInquirer>>) => Promise<T>): Promise<T> => {
  try {
    return await ask(await loadInquirer())
  } catch (error) {
    if (isPromptExit(error)) throw new CancelledError('Cancelled at the prompt; nothing changed.')
    throw error
  }
}

/** Real prompts on the terminal, drawn on `output` (stderr). */
export const createInquirerPrompter = (output: NodeJS.WritableStream): Prompter => {
  const context = { output, clearPromptOnDone: false }
  return {
    confirm: (message, options = {}) => cancellable(({ confirm }) => confirm({ message, default: options.default ?? false }, context)),
    select: <T>(message: string, choices: Array<Choice<T>>) =>
      cancellable(({ select }) => select<T>({ message, choices, pageSize: 12, loop: false }, context)),
    input: (message, options = {}) =>
      cancellable(({ input }) => input({ message, required: true, ...(options.default === undefined ? {} : { default: options.default }), ...(options.validate ? { validate: options.validate } : {}) }, context)),
  }
}
