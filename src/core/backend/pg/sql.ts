/**
 * The one place an identifier enters SQL: the schema name, from configuration
 * (never from a request), validated here and double-quoted. Every value is a
 * query parameter.
 */
import { InvalidOptionsError } from '../../errors.js'

export const DEFAULT_SCHEMA = 'bento'

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

export const assertSchemaName = (name: string): string => {
  if (!IDENTIFIER.test(name)) {
    throw new InvalidOptionsError(`Invalid schema ${JSON.stringify(name)}: expected 1–63 characters from a-z 0-9 _, starting with a letter or _.`)
  }
  return name
}

/** `"name"`: only ever called on a validated schema name. */
export const quoteIdent = (name: string): string => `"${assertSchemaName(name)}"`
