import { describe, expect, it } from 'vitest'
import { assertValidFileName } from '../../../src/core/ingest/file-name.js'
import { InvalidInputError } from '../../../src/core/errors.js'

describe('assertValidFileName', () => {
  it.each(['notes.txt', 'Report 2024 (final).PDF', 'résumé.docx', '日本語.md', '%2e%2e.txt', '..hidden.md', '.env.json', 'a'.repeat(196) + '.txt'])(
    'accepts %j unchanged',
    (name) => {
      expect(assertValidFileName(name)).toBe(name)
    },
  )

  it.each<[string, unknown]>([
    ['an empty name', ''],
    ['a non-string', 42],
    ['"."', '.'],
    ['".."', '..'],
    ['a traversal "../x"', '../x'],
    ['a traversal "../../etc/passwd"', '../../etc/passwd'],
    ['a nested path "a/b"', 'a/b'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows traversal "..\\x"', '..\\x'],
    ['a backslash', 'a\\b.txt'],
    ['a NUL byte', 'x\u0000.txt'],
    ['a newline', 'x\n.txt'],
    ['a DEL', 'x\u007f.txt'],
    ['a C1 control', 'x\u0085.txt'],
    ['a bidi override that hides the real extension', 'invoice\u202Etxt.exe'],
    ['an NTFS stream name', 'a.txt:secret'],
    ['a wildcard', 'a*.txt'],
    ['a Windows device name', 'CON.txt'],
    ['a Windows device name without extension', 'nul'],
    ['a trailing dot', 'notes.txt.'],
    ['a leading space', ' notes.txt'],
    ['a trailing space', 'notes.txt '],
    ['a lone surrogate', 'x\ud800.txt'],
    ['more than 200 bytes', 'a'.repeat(197) + '.txt'],
    ['more than 200 bytes of multi-byte characters', 'é'.repeat(99) + '.txt'],
  ])('rejects %s', (_name, value) => {
    expect(() => assertValidFileName(value)).toThrow(InvalidInputError)
  })

  it('shows the name in the message safely quoted', () => {
    expect(() => assertValidFileName('a/b\n')).toThrow(/Invalid file name "a\/b\\n"/)
  })
})
