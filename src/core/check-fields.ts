/**
 * Small field checks for the JSON files Bento reads on every store access (the
 * store manifest, a scope's quota), written by hand instead of with zod: a CLI
 * run that only reads a store should not pay for loading a schema library
 * (docs/ARCHITECTURE.md, "What the CLI loads"). A failed check throws
 * `FieldIssue` naming the field (`files.docstore.json: expected …`); the caller
 * turns it into its own typed error.
 */
export class FieldIssue extends Error {}

export type Field<T> = (value: unknown, path: string) => T

export const failField = (path: string, message: string): never => {
  throw new FieldIssue(`${path || '(root)'}: ${message}`)
}

export const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Field<number> => (value, path) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : failField(path, `expected a whole number from ${min} to ${max}`)

export const count = integer(0)

export const optional = <T>(field: Field<T>): Field<T | undefined> => (value, path) => (value === undefined ? undefined : field(value, path))

export const text: Field<string> = (value, path) => (typeof value === 'string' ? value : failField(path, 'expected a string'))

export const oneOf = <T extends string>(choices: readonly T[]): Field<T> => (value, path) =>
  choices.includes(value as T) ? (value as T) : failField(path, `expected one of ${choices.join(', ')}`)

const object = (value: unknown, path: string): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : failField(path, 'expected an object')

/**
 * The fields of `shape`, in its order, checked under `path`; an optional field left out stays
 * out. Other keys are dropped, or with `strict` refused.
 */
export const fields = <T>(value: unknown, path: string, shape: { [K in keyof T]-?: Field<T[K]> }, strict = false): T => {
  const raw = object(value, path)
  if (strict) for (const key of Object.keys(raw)) if (!Object.hasOwn(shape, key)) failField(path ? `${path}.${key}` : key, 'not a known field')
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(shape) as Array<[string, Field<unknown>]>) {
    const checked = field(raw[key], path ? `${path}.${key}` : key)
    if (checked !== undefined) out[key] = checked
  }
  return out as T
}
