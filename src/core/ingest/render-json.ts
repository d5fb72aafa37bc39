/**
 * JSON as readable text: `key: value` lines, nested values indented, array
 * items as `- item`. Keys carry meaning for search ("author: Lincoln"), braces
 * and quotes do not.
 */
const INDENT = '  '

const isPlainValue = (value: unknown): boolean => value === null || typeof value !== 'object'

const renderValue = (value: unknown): string => (typeof value === 'string' ? value : String(value))

interface Output {
  lines: string[]
  length: number
  maxChars: number
  onOverflow: () => Error
}

const push = (out: Output, line: string): void => {
  out.length += line.length + 1
  // Stops as soon as the text passes its cap, instead of building it all first.
  if (out.length - 1 > out.maxChars) throw out.onOverflow()
  out.lines.push(line)
}

/** Recursive: callers cap the depth first (`assertJsonShape`). */
const renderLines = (value: unknown, depth: number, lines: Output): void => {
  const pad = INDENT.repeat(depth)
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isPlainValue(item)) push(lines, `${pad}- ${renderValue(item)}`)
      else {
        push(lines, `${pad}-`)
        renderLines(item, depth + 1, lines)
      }
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (isPlainValue(item)) push(lines, `${pad}${key}: ${renderValue(item)}`)
      else {
        push(lines, `${pad}${key}:`)
        renderLines(item, depth + 1, lines)
      }
    }
  } else {
    push(lines, `${pad}${renderValue(value)}`)
  }
}

export const renderJsonText = (value: unknown, maxChars = Number.POSITIVE_INFINITY, onOverflow = () => new Error('text too long')): string => {
  const out: Output = { lines: [], length: 0, maxChars, onOverflow }
  renderLines(value, 0, out)
  return out.lines.join('\n')
}

/** A top-level `title` (or `name`) string, if any. */
export const jsonTitle = (value: unknown): string | undefined => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const { title, name } = value as { title?: unknown; name?: unknown }
  const found = typeof title === 'string' ? title : typeof name === 'string' ? name : undefined
  return found?.trim() || undefined
}
