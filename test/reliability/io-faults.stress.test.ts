import { defineIoFaultSuite } from './io-fault-suite.js'

// ENOSPC, EIO and EACCES at every fs call of ingest, migrate (rename, merge, copy), cleanup and compaction.
defineIoFaultSuite({ name: 'io-faults', stride: 1, allErrnos: true })
