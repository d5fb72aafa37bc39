/** Every benchmark, in run order. `--only` selects by id. */
import { duSuite } from './du.js'
import { cleanupSuite } from './cleanup.js'
import { searchSuite } from './search.js'
import { openSuite } from './open.js'
import { migrateSuite } from './migrate.js'
import { httpSuite } from './http.js'
import { rssSuite } from './rss.js'
import { hostileSuite } from './hostile.js'
import { ingestSuite } from './ingest.js'
import { scalingSuite } from './scaling.js'
import { qualitySuite } from './quality.js'
import { hybridSuite } from './hybrid.js'
import { commitSuite } from './commit.js'
import { addSuite } from './add.js'
import { embedCallsSuite } from './embed-calls.js'
import { postgresSuite } from './postgres.js'

export const SUITES = [duSuite, cleanupSuite, searchSuite, openSuite, migrateSuite, httpSuite, rssSuite, hostileSuite, ingestSuite, commitSuite, addSuite, embedCallsSuite, scalingSuite, hybridSuite, qualitySuite, postgresSuite]
