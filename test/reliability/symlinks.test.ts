import { defineSymlinkSuite } from './symlink-suite.js'

// Static plants against every operation, and a swap at every 30th fs call; every call in symlinks.stress.test.ts.
defineSymlinkSuite({ name: 'symlinks-fast', stride: 30 })
