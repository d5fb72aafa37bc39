/**
 * A passage's terms counted as Bento's own stores index them. Every write path counts
 * them before the commit (ingest beside embedding, memories, migrate's merge), so the
 * commit tokenizes nothing. Stores take analyzer options only at creation and Bento's
 * never set any; a store that was given others ignores these counts (passage-terms.ts).
 */
import { defaultAnalyzer } from './bm25.js'
import { analyzePassage, type PassageTerms } from './passage-terms.js'

const STORE_ANALYZER = defaultAnalyzer()

export const countStoreTerms = (text: string): PassageTerms => analyzePassage(text, STORE_ANALYZER)
