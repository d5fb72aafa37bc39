import { ALL_CRASH_POINTS, defineCrashSuite } from './crash-suite.js'

defineCrashSuite(ALL_CRASH_POINTS)
