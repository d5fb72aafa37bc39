/**
 * JSON as readable text: `key: value` lines, nested values indented, array
 * items as `- item`. Keys carry meaning for search ("author: Lincoln"), braces
 * and quotes do not.
 */
const INDENT = '  '

const isPlainValue = (value: unknown): boolean => value === null || typeof value !== 'object'

const renderValue = (value: unknown): string => (typeof value === 'string' ? value : String(value))

const renderLines = (value: unknown, depth: number, lines: string[]): void => {
  const pad = INDENT.repeat(depth)
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isPlainValue(item)) lines.push(`${pad}- ${renderValue(item)}`)
      else {
        lines.push(`${pad}-`)
        renderLines(item, depth + 1, lines)
      }
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (isPlainValue(item)) lines.push(`${pad}${key}: ${renderValue(item)}`)
      else {
        lines.push(`${pad}${key}:`)
        renderLines(item, depth + 1, lines)
      }
    }
  } else {
    lines.push(`${pad}${renderValue(value)}`)
  }
}

export const renderJsonText = (value: unknown): string => {
  const lines: string[] = []
  renderLines(value, 0, lines)
  return lines.join('\n')
}

/** A top-level `title` (or `name`) string, if any. */
export const jsonTitle = (value: unknown): string | undefined => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const { title, name } = value as { title?: unknown; name?: unknown }
  const found = typeof title === 'string' ? title : typeof name === 'string' ? name : undefined
  return found?.trim() || undefined
}
