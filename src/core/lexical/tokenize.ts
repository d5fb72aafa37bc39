/**
 * Words for the lexical index, in every script: one function for documents and
 * queries, so both sides always agree. NFKC (full-width and compatibility forms
 * become plain ones), case folding, and per script what search engines do:
 * - Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari…: runs of letters, marks and digits;
 *   Greek accents and final sigma, Arabic diacritics, tatweel and alef/yeh/teh-marbuta
 *   variants, Hebrew points, Russian ё are folded (readers type them either way);
 * - Han, Hiragana, Katakana, Hangul: overlapping character bigrams (Lucene's CJK
 *   analyzer), since words are not separated by spaces;
 * - Thai, Lao, Khmer, Myanmar: `Intl.Segmenter` word boundaries.
 * English stop words and stemming are options, off by default: they help English
 * and hurt every other language.
 */
import { stemEnglish } from './stem.js'

export interface AnalyzerOptions {
  /** Drop common English function words ("the", "of"…). Default false. */
  stopWords?: boolean
  /** Reduce English plurals to the singular (Harman's S-stemmer: conservative, never merges unrelated words). Default false. */
  stemming?: boolean
}

/** Changes to what `tokenize` returns need a new id: an index records the one that built it. */
export const TOKENIZER_ID = 'bento-words-v1'

/** A pasted base64 blob is one "word": cap it so it costs bounded memory. */
const MAX_TOKEN_CHARS = 64

const RUN = /[\p{L}\p{M}\p{N}]+/gu
// What RUN matches in lower-case ASCII text, which NFKC and every fold below leave as it is.
const ASCII_RUN = /[a-z0-9]+/g
const NON_ASCII = /[^\x00-\x7f]/
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u
const CJK_OR_NOT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]+/gu
const UNSPACED = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u
const GREEK = /[\u0370-\u03ff\u1f00-\u1fff]/
const ARABIC_MARKS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g
const HEBREW_POINTS = /[\u0591-\u05c7]/g
const COMBINING = /[\u0300-\u036f]/g
// Arabic-Indic, Extended Arabic-Indic and Devanagari digits read as the ASCII digits NFKC leaves them.
const OTHER_DIGITS = /[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f]/g
const FOLD: Record<string, string> = { ß: 'ss', ς: 'σ', ё: 'е', أ: 'ا', إ: 'ا', آ: 'ا', ٱ: 'ا', ى: 'ي', ة: 'ه' }
const FOLDED = /[ßςёأإآٱىة]/g

const STOP_WORDS = new Set(
  ('a an and are as at be been but by for from had has have he her his i if in into is it its of on or our ' +
    'she so that the their them there these they this those to was we were which who will with you your not no')
    .split(' '),
)

let segmenter: Intl.Segmenter | undefined

const digitOf = (char: string): string => {
  const code = char.charCodeAt(0)
  const zero = code >= 0x0966 ? 0x0966 : code >= 0x06f0 ? 0x06f0 : 0x0660
  return String(code - zero)
}

const foldRun = (run: string): string => {
  let folded = run
  if (GREEK.test(folded)) folded = folded.normalize('NFD').replace(COMBINING, '').normalize('NFC')
  return folded
    .replace(ARABIC_MARKS, '')
    .replace(HEBREW_POINTS, '')
    .replace(FOLDED, (char) => FOLD[char]!)
    .replace(OTHER_DIGITS, digitOf)
}

const pushBigrams = (segment: string, out: string[]): void => {
  const chars = Array.from(segment)
  if (chars.length === 1) {
    out.push(chars[0]!)
    return
  }
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!)
}

const pushWord = (word: string, out: string[]): void => {
  if (word.length > 0) out.push(word.length > MAX_TOKEN_CHARS ? word.slice(0, MAX_TOKEN_CHARS) : word)
}

const pushRun = (run: string, out: string[]): void => {
  // Most runs of most texts are ASCII: none of the script tests or folds below can change them.
  if (!NON_ASCII.test(run)) {
    pushWord(run, out)
    return
  }
  if (CJK.test(run)) {
    for (const segment of run.match(CJK_OR_NOT) ?? []) {
      if (CJK.test(segment)) pushBigrams(segment, out)
      else pushRun(segment, out)
    }
    return
  }
  if (UNSPACED.test(run)) {
    segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' })
    for (const part of segmenter.segment(run)) if (part.isWordLike) pushWord(part.segment, out)
    return
  }
  pushWord(foldRun(run), out)
}

/**
 * @example
 * tokenize('Ｔｈｅ Café — Москва, 東京都')   // ['the', 'café', 'москва', '東京', '京都']
 * tokenize('The cars', { stopWords: true, stemming: true }) // ['car']
 */
export const tokenize = (text: string, options: AnalyzerOptions = {}): string[] => {
  const tokens: string[] = []
  const ascii = !NON_ASCII.test(text)
  const runs = ascii ? text.toLowerCase().match(ASCII_RUN) : text.normalize('NFKC').toLowerCase().match(RUN)
  if (runs === null) return tokens
  if (ascii) for (const run of runs) pushWord(run, tokens)
  else for (const run of runs) pushRun(run, tokens)
  if (!options.stopWords && !options.stemming) return tokens
  const kept = options.stopWords ? tokens.filter((token) => !STOP_WORDS.has(token)) : tokens
  return options.stemming ? kept.map(stemEnglish) : kept
}
