import { defineSymlinkSuite } from './symlink-suite.js'

// Static plants against every operation, and a swap at every 30th fs call; every call in symlinks.stress.test.ts.
// A sweep is dozens of cases: at a load average of 20 it passes the default 30 s (no timing is asserted).
defineSymlinkSuite({ name: 'symlinks-fast', stride: 30, sweepTimeoutMs: 180_000 })
