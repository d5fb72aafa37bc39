export { searchStore, SEARCH_MODES, type RankedHit, type SearchMode, type SearchStoreOptions, type StoreSearch } from './search-store.js'
export { fuseRankings, RRF_K, VECTOR_WEIGHT, type Fusion, type FusedHit } from './fusion.js'
export { API_MIN_SIMILARITY, LOCAL_MIN_SIMILARITY, defaultMinSimilarity } from './similarity-floor.js'
export { tokenize as tokenizeForSearch } from '../lexical/tokenize.js'
