import { defineImportCrashSuite } from './import-crash-suite.js'

defineImportCrashSuite({ points: ['import:after-stage', 'import:after-publish-vectors', 'import:after-publish-uploads'], opSweepStep: 7 })
