import { describe, expect, it } from 'vitest'
import { stemEnglish, tokenize } from '../../../src/core/lexical/index.js'

describe('tokenize finds the words of every script', () => {
  it.each([
    ['Latin, with NFKC and case folding', 'Ｔｈｅ ＣＡＦÉ Straße ﬁle', ['the', 'café', 'strasse', 'file']],
    ['Cyrillic, ё read as е', 'Ёлка в Москве', ['елка', 'в', 'москве']],
    ['Greek, accents and final sigma folded', 'Ο ΔΡΌΜΟΣ, ο δρόμος', ['ο', 'δρομοσ', 'ο', 'δρομοσ']],
    ['Arabic, diacritics, tatweel and alef/teh-marbuta variants folded', 'المَدْرَسَةُ الكـبيرة أحمد ٢٠٢٤', ['المدرسه', 'الكبيره', 'احمد', '2024']],
    ['Hebrew, points removed', 'שָׁלוֹם עולם', ['שלום', 'עולם']],
    ['Devanagari, vowel signs kept', 'नमस्ते दुनिया १२', ['नमस्ते', 'दुनिया', '12']],
    ['Chinese as character bigrams', '東京都の天気', ['東京', '京都', '都の', 'の天', '天気']],
    ['Japanese katakana with a long-vowel mark', 'コーヒー', ['コー', 'ーヒ', 'ヒー']],
    ['Korean Hangul as bigrams', '서울에서', ['서울', '울에', '에서']],
    ['a lone CJK character as itself', '水 water', ['水', 'water']],
    ['CJK next to Latin and digits', 'iPhone15的价格', ['iphone15', '的价', '价格']],
    ['Thai by Intl.Segmenter word boundaries', 'สวัสดีครับ', ['สวัสดี', 'ครับ']],
  ])('%s', (_, text, expected) => {
    expect(tokenize(text)).toEqual(expected)
  })

  it('finds the same words in ASCII text by its fast path as by the path for every script', () => {
    const ascii = 'Refund-policy v2: 30 DAYS, e-mail SUPPORT@example.com; x86_64 iPhone15'
    // One non-ASCII word sends the whole text down the general path.
    expect(tokenize(ascii)).toEqual(['refund', 'policy', 'v2', '30', 'days', 'e', 'mail', 'support', 'example', 'com', 'x86', '64', 'iphone15'])
    expect(tokenize(`${ascii} é`)).toEqual([...tokenize(ascii), 'é'])
  })

  it('gives no tokens for punctuation and emoji only', () => {
    expect(tokenize('— !!! 🙂 ...')).toEqual([])
  })

  it('caps a pasted blob at 64 characters instead of indexing it whole', () => {
    expect(tokenize('a'.repeat(10_000))).toEqual(['a'.repeat(64)])
  })

  it('keeps English stop words and plurals unless asked', () => {
    expect(tokenize('The policies of the boxes')).toEqual(['the', 'policies', 'of', 'the', 'boxes'])
    expect(tokenize('The policies of the boxes', { stopWords: true, stemming: true })).toEqual(['policy', 'box'])
  })
})

describe('stemEnglish only folds plurals', () => {
  it.each([
    ['policies', 'policy'],
    ['cars', 'car'],
    ['glasses', 'glass'],
    ['cases', 'case'],
    ['status', 'status'],
    ['glass', 'glass'],
    ['is', 'is'],
    ['running', 'running'],
  ])('%s -> %s', (word, stem) => {
    expect(stemEnglish(word)).toBe(stem)
  })
})
