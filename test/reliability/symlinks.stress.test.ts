import { defineSymlinkSuite } from './symlink-suite.js'

// A swap at every fs call of cleanup, migrate (rename and merge), du and inspect --verify.
defineSymlinkSuite({ name: 'symlinks', stride: 1 })
