/**
 * Threat: an upload's file name becomes a path component under the uploads
 * dir. A name like `../x`, `a/b`, `..\x`, `x\0.txt` or a device name could
 * write outside the document's folder, or alias another file on some
 * filesystem. The name is validated as is and used byte for byte — never
 * decoded (`%2e%2e` stays a literal name) and never "cleaned up".
 * Tests: test/core/ingest/file-name.test.ts.
 */
import { InvalidInputError } from '../errors.js'

export const MAX_FILE_NAME_BYTES = 200

// Control characters, and bidi overrides that make "evil\u202Etxt.exe" read as "evilexe.txt".
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/
// Separators and characters Windows/NTFS reject or give meaning to (`a.txt:stream`).
const RESERVED = /[/\\<>:"|?*]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i

const shown = (name: string): string => JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name)

/** Throws `InvalidInputError` unless `name` is a plain, portable file name. Returns it unchanged. */
export const assertValidFileName = (name: unknown): string => {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidInputError('A file name is required.')
  const reject = (why: string): never => {
    throw new InvalidInputError(`Invalid file name ${shown(name)}: ${why}.`, { fileName: name })
  }
  if (name === '.' || name === '..') reject('not a file name')
  if (LONE_SURROGATE.test(name)) reject('not valid Unicode')
  if (CONTROL.test(name)) reject('contains a control character')
  if (RESERVED.test(name)) reject('contains a path separator or one of < > : " | ? *')
  if (name.trim() !== name || name.endsWith('.')) reject('starts or ends with a space, or ends with a dot')
  if (WINDOWS_DEVICE.test(name)) reject('is a reserved device name')
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) reject(`longer than ${MAX_FILE_NAME_BYTES} bytes`)
  return name
}
