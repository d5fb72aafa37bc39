/**
 * Harman's S-stemmer (1991), plus -es after a sibilant (boxes, glasses): English plurals
 * to the singular and nothing else.
 * Chosen over Porter because it is predictable: it never merges "university" and
 * "universe", and a word it does not understand stays as it is.
 *
 * @example
 * stemEnglish('policies') // 'policy'
 * stemEnglish('glasses')  // 'glass'
 */
export const stemEnglish = (word: string): string => {
  if (word.length < 4 || !word.endsWith('s')) return word
  if (word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies')) return `${word.slice(0, -3)}y`
  if (word.endsWith('es') && !word.endsWith('aes') && !word.endsWith('ees') && !word.endsWith('oes')) {
    // "boxes", "glasses", "churches" lose -es; "cases", "rules" only the -s.
    return /(?:x|ss|sh|ch|z)es$/.test(word) ? word.slice(0, -2) : word.slice(0, -1)
  }
  if (word.endsWith('us') || word.endsWith('ss')) return word
  return word.slice(0, -1)
}
