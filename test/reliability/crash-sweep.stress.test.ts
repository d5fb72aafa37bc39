import { defineCrashSweep } from './crash-sweep-suite.js'

// 6 operations × 40 random fs-call kill points (240) plus every named step of each.
defineCrashSweep({ name: 'crash-sweep', randomPerOp: 40, namedSteps: 'all', concurrency: 2 })
