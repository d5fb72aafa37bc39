/**
 * A generated corpus of hostile isolation keys (and file names, route params,
 * header values): every spelling of `..` and of a path separator we know of,
 * NUL and control characters, absolute and drive paths, Windows device names,
 * over-long, empty and whitespace-only strings, and Unicode that some layer
 * might normalize into a dot or a slash. Deterministic (seeded), so a failure
 * names a key that reproduces.
 *
 * `generateHostileKeys({ target })` aims absolute-path keys at `target` (a
 * sentinel tree the tests watch) instead of real system paths.
 */

export interface HostileKey {
  key: string
  category: HostileCategory
}

export type HostileCategory =
  | 'traversal'
  | 'encoded-traversal'
  | 'unicode-lookalike'
  | 'nul'
  | 'control'
  | 'absolute'
  | 'device'
  | 'long'
  | 'blank'
  | 'session-lookalike'
  | 'mixed'

/** Spellings of ".." — literal, percent-, double-percent-, overlong-UTF-8-encoded, and Unicode look-alikes. */
export const DOT_DOTS = [
  '..', '.%2e', '%2e.', '%2e%2e', '%2E%2E', '%252e%252e', '%25252e%25252e', '%c0%ae%c0%ae', '%C0%AE%C0%AE',
  '%e0%80%ae%e0%80%ae', '%f0%80%80%ae%f0%80%80%ae', '%uff0e%uff0e', '\u00c0\u00ae\u00c0\u00ae', '\uff0e\uff0e',
  '\u2024\u2024', '\u2025', '\u3002\u3002', '\ufe52\ufe52', '.\u200b.', '..\u0000', '. .', '...', '....', '.\u0338.',
  '\u0660\u0660', '&#46;&#46;', '\\x2e\\x2e', '\\u002e\\u002e', '%%32%65%%32%65',
]

/** Spellings of a path separator. */
export const SEPARATORS = [
  '/', '\\', '%2f', '%2F', '%5c', '%5C', '%252f', '%255c', '%c0%af', '%c1%9c', '%e0%80%af', '\uff0f', '\uff3c',
  '\u2215', '\u2044', '\u29f5', '\u2216', '\ufe68', '//', '\\\\', '/./', '\u0000/',
]

export const DEVICE_NAMES = [
  'CON', 'PRN', 'AUX', 'NUL', 'COM1', 'COM9', 'LPT1', 'LPT9', 'CONIN$', 'CONOUT$', 'COM\u00b9', 'LPT\u00b3', 'CLOCK$', 'con', 'nul', 'Aux',
]

const CONTROL_CHARS = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)), '\u007f', '\u0085', '\u2028', '\u2029', '\u202e', '\ufeff', '\ud800', '\udfff']

const BLANKS = ['', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2000', '\u3000', '\u200b', '\ufeff', ' \t ', '\u180e']

/** A small seeded PRNG (mulberry32), so the corpus is the same on every run. */
export const seededRandom = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface HostileKeyOptions {
  /** Absolute path of a sentinel tree outside the data dir; absolute keys point there. */
  target?: string
  /** Minimum corpus size. Default 5000. */
  min?: number
  seed?: number
}

/**
 * @example
 * const keys = generateHostileKeys({ target: '/tmp/x/sentinel' })
 * for (const { key } of keys) expect(() => customScope(key)).toThrow()  // most of them
 */
export const generateHostileKeys = (options: HostileKeyOptions = {}): HostileKey[] => {
  const target = options.target ?? '/etc'
  const min = options.min ?? 5000
  const random = seededRandom(options.seed ?? 5)
  const out = new Map<string, HostileCategory>()
  const add = (key: string, category: HostileCategory) => {
    if (!out.has(key)) out.set(key, category)
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!

  // Traversal: every dot-dot spelling joined by every separator spelling, at depths 1–8, aimed at a few places.
  const aims = ['', 'sentinel', 'sentinel/secret.txt', 'vectors', 'isolated', 'shared', '.bento', 'etc/passwd']
  for (const dots of DOT_DOTS) {
    for (const sep of SEPARATORS) {
      for (const depth of [1, 2, 3, 5, 8]) {
        const climb = Array.from({ length: depth }, () => dots).join(sep)
        const aim = aims[depth % aims.length]!
        const encoded = dots !== '..' || sep !== '/'
        add(`${climb}${sep}${aim}`, encoded ? 'encoded-traversal' : 'traversal')
        if (depth <= 2) add(`user${sep}${climb}`, encoded ? 'encoded-traversal' : 'traversal')
      }
    }
  }
  for (const dots of DOT_DOTS) {
    add(dots, 'traversal')
    add(`${dots}/`, 'traversal')
    add(`user-1/${dots}`, 'traversal')
    add(`${dots}user`, 'traversal')
    add(`.${dots}`, 'traversal')
  }

  // Unicode that NFKC, case folding or a lax decoder turns into dots, slashes or ASCII keys.
  const lookalikes = ['\uff0e', '\u2024', '\u3002', '\ufe52', '\uff0f', '\uff3c', '\u2215', '\u2044', '\uff41', '\u212a', '\u017f', '\u0130', '\u0131', 'e\u0301', '\u00e9', '\ufb00', '\u1e9e', '\u2126', '\uff53\uff48\uff41\uff52\uff45\uff44']
  for (const char of lookalikes) {
    for (const base of ['user', 'shared', 'session', 'tenant:user', '', 'a']) {
      add(`${base}${char}`, 'unicode-lookalike')
      add(`${char}${base}`, 'unicode-lookalike')
      add(`${base}${char}${char}${base}`, 'unicode-lookalike')
    }
  }
  add('\uff53\uff48\uff41\uff52\uff45\uff44', 'unicode-lookalike') // fullwidth "shared"
  add('SHARED', 'unicode-lookalike')
  add('Shared', 'unicode-lookalike')
  add('ſhared', 'unicode-lookalike')

  // NUL and controls at the start, middle and end.
  for (const char of CONTROL_CHARS) {
    const category: HostileCategory = char === '\u0000' ? 'nul' : 'control'
    for (const base of ['user-1', 'shared', '..', 'a'.repeat(32), 'x.txt']) {
      add(`${char}${base}`, category)
      add(`${base}${char}`, category)
      add(`${base.slice(0, 2)}${char}${base.slice(2)}`, category)
    }
  }
  for (const nul of ['\u0000', '%00', '%2500', '\\0', '\\u0000']) {
    for (const base of ['user-1', 'shared', '../x', 'session-' + 'a'.repeat(32), 'a.txt']) {
      add(`${base}${nul}`, 'nul')
      add(`${base}${nul}../../sentinel`, 'nul')
    }
  }

  // Absolute, drive, UNC and URL-ish paths.
  const absolutes = [
    target, `${target}/`, `${target}/secret.txt`, `${target}/../sentinel`, `//${target}`, `/${target}`, `${target.replaceAll('/', '\\')}`,
    '/', '\\', '/etc', '/etc/passwd', '/proc/self/environ', '/dev/null', '/tmp', '~', '~/', '~root', '$HOME', '${HOME}', '%HOME%',
    'C:', 'C:\\', 'C:/', 'c:\\windows\\system32', 'C:..\\..', 'C:x', 'Z:\\sentinel', '\\\\server\\share', '\\\\?\\C:\\x', '\\\\.\\PhysicalDrive0',
    '//server/share', 'file:///etc/passwd', 'file://localhost/etc', 'http://example.com/', 'data:,x', 'javascript:alert(1)',
  ]
  for (const abs of absolutes) {
    add(abs, 'absolute')
    add(`${abs}\u0000`, 'nul')
    add(encodeURIComponent(abs), 'absolute')
    add(`user-1/${abs}`, 'absolute')
  }

  // Windows device names, bare, with extensions and spaces, in every case.
  for (const device of DEVICE_NAMES) {
    for (const suffix of ['', '.txt', '.', ' ', '.tar.gz', ':', ':$DATA', '::$INDEX_ALLOCATION']) {
      add(`${device}${suffix}`, 'device')
      add(`${device.toLowerCase()}${suffix}`, 'device')
      add(`sub/${device}${suffix}`, 'device')
    }
  }

  // Length: at, around and far past the 120-char key limit and the 255-byte name limit.
  for (const n of [119, 120, 121, 122, 200, 241, 242, 243, 254, 255, 256, 257, 1024, 4096, 8192, 65536]) {
    add('a'.repeat(n), 'long')
    add('A'.repeat(n), 'long')
    add('.'.repeat(n), 'long')
    add('@'.repeat(n), 'long')
    add('../'.repeat(Math.ceil(n / 3)).slice(0, n), 'long')
    add(`${'x'.repeat(n)}/../sentinel`, 'long')
    add('\u00e9'.repeat(n), 'long')
    add('\ud83d\ude00'.repeat(Math.ceil(n / 2)), 'long')
  }

  for (const blank of BLANKS) {
    add(blank, 'blank')
    add(`${blank}${blank}`, 'blank')
    add(`${blank}user-1`, 'blank')
    add(`user-1${blank}`, 'blank')
  }

  // Almost-session ids: a traversal or a separator hiding in or around 32 hex.
  const hex = '0123456789abcdef0123456789abcdef'
  for (const trick of ['/..', '/../..', '\\..', '%2f..', '\u0000', ' ', '.', '..', '-', '/', '\n', 'g', '\uff10']) {
    add(`${hex}${trick}`, 'session-lookalike')
    add(`${trick}${hex}`, 'session-lookalike')
    add(`session-${hex}${trick}`, 'session-lookalike')
    add(`session-${trick}${hex}`, 'session-lookalike')
    add(`${hex.slice(0, 16)}${trick}${hex.slice(16)}`, 'session-lookalike')
    add(`01234567-89ab-cdef-0123-456789abcdef${trick}`, 'session-lookalike')
  }
  add(`session-${hex}`.toUpperCase(), 'session-lookalike')
  add(`session-${hex.slice(0, 31)}`, 'session-lookalike')
  add(`session-${hex}0`, 'session-lookalike')
  add(`isolated/session-${hex}`, 'session-lookalike')
  add(`~-session-${hex}`, 'session-lookalike')
  add('~-con', 'session-lookalike')
  add('~d~d', 'session-lookalike')
  add('^.', 'session-lookalike')

  // Random mixtures of all of the above until the corpus is large enough.
  const atoms = [...DOT_DOTS, ...SEPARATORS, ...DEVICE_NAMES, ...CONTROL_CHARS, ...BLANKS, ...lookalikes, 'user', 'shared', 'sentinel', target, ':', '|', '@', '+', '~', '^', '%', '"', "'", '<', '>', '*', '?', ';', '$(id)', '`id`']
  while (out.size < min) {
    const parts = 2 + Math.floor(random() * 5)
    let key = ''
    for (let i = 0; i < parts; i++) key += pick(atoms)
    add(key, 'mixed')
  }
  return [...out].map(([key, category]) => ({ key, category }))
}
