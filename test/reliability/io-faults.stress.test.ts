import { defineIoFaultSuite } from './io-fault-suite.js'

// A fault at every 2nd fs call (ENOSPC, EIO, EACCES in turn) of ingest, migrate (rename, merge, copy), cleanup and compaction.
defineIoFaultSuite({ name: 'io-faults', stride: 2, allErrnos: false })
