import { defineIoFaultSuite } from './io-fault-suite.js'

// A fault at every 80th fs call, rotating ENOSPC/EIO/EACCES; io-faults.stress.test.ts injects each errno at every call.
defineIoFaultSuite({ name: 'io-faults-fast', stride: 80, allErrnos: false })
