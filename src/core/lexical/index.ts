/** The per-store lexical index (BM25) and its tokenizer. File format: docs/STORE-FORMAT.md. */
export { tokenize, TOKENIZER_ID, type AnalyzerOptions } from './tokenize.js'
export { stemEnglish } from './stem.js'
export { addPassage, createLexicalIndex, defaultAnalyzer, postingsOf, remapLabels, removeLabel, searchLexical, topK, B, K1, type Analyzer, type LexicalHit, type LexicalIndex } from './bm25.js'
export { analyzePassage, analyzerKey, type PassageTerms } from './passage-terms.js'
export { countStoreTerms } from './store-terms.js'
export { forEachPosting, type PostingColumns } from './postings.js'
export { decodeLexicalIndex, encodeAndPackLexicalIndex, encodeLexicalIndex, readLexicalHeader, LEXICAL_FORMAT_VERSION, type LexicalFileHeader } from './codec.js'
