import { defineImportCrashSuite } from './import-crash-suite.js'

// The two sides of the publish: killed while staged (discarded) and between the two renames (finished).
defineImportCrashSuite({ points: ['import:after-stage', 'import:after-publish-vectors'] })
