import { defineCrashSuite } from './crash-suite.js'

// One crash point per operation kind in the fast set; every point in crash.stress.test.ts.
defineCrashSuite({
  rename: [['migrate:after-rename-vectors', 'move']],
  merge: ['migrate-merge:after-add-documents'],
  cleanup: ['cleanup:after-trash-vectors'],
})
