/**
 * Fault injection, for Bento's own crash and I/O-error tests only. Production
 * code calls `checkFault(op, path)` through the fs facade and `crashPoint(name)`
 * at named steps of multi-step commits; both are no-ops unless a test arms them.
 *
 * Test child processes are armed by environment, and only when
 * `BENTO_TEST_FAULTS=1` is set too — a switch no production path sets and no
 * documentation offers to operators. Threat: a host app (Bento is a library)
 * that happens to have `BENTO_CRASH_AT` or `BENTO_FAULT` in its environment
 * SIGKILLing itself or failing its writes. Test: test/core/faults.test.ts.
 * - `BENTO_CRASH_AT=<step name>`: SIGKILL itself when that step is reached.
 * - `BENTO_CRASH_AFTER_OPS=<n>`: SIGKILL itself at the n-th fs facade call.
 * - `BENTO_FAULT=<op>:<errno>[:<n>]`: the n-th (default 1st) call of `op` fails with that errno.
 * In-process tests use `setFaultInjector`, which is not part of the package's exports.
 */
export type FaultInjector = (op: string, path: string) => NodeJS.ErrnoException | undefined

let injector: FaultInjector | undefined
let opCount = 0
/** The test switch: without it the variables below are never read. */
export const TEST_FAULTS_SWITCH = 'BENTO_TEST_FAULTS'
const testEnv: NodeJS.ProcessEnv = process.env[TEST_FAULTS_SWITCH] === '1' ? process.env : {}
const crashAt = testEnv.BENTO_CRASH_AT
const crashAfterOps = Number(testEnv.BENTO_CRASH_AFTER_OPS ?? 0)
const envFault = parseEnvFault(testEnv.BENTO_FAULT)

export const setFaultInjector = (next: FaultInjector | undefined): void => {
  injector = next
}

/** An errno-shaped error, as node's fs would throw it. */
export const errnoError = (code: string, op: string, path: string): NodeJS.ErrnoException => {
  const error = new Error(`${code}: injected fault, ${op} '${path}'`) as NodeJS.ErrnoException
  error.code = code
  error.syscall = op
  error.path = path
  return error
}

export const checkFault = (op: string, path: string): void => {
  opCount++
  if (crashAfterOps > 0 && opCount >= crashAfterOps) process.kill(process.pid, 'SIGKILL')
  if (envFault && envFault.op === op && --envFault.remaining === 0) throw errnoError(envFault.errno, op, path)
  const error = injector?.(op, path)
  if (error) throw error
}

/**
 * True when a test armed a fault or a crash. Work that could move to a worker
 * thread stays in this one then: an injector set here is not seen there, and
 * op counts must stay one sequence.
 */
export const faultsArmed = (): boolean => injector !== undefined || envFault !== undefined || crashAfterOps > 0 || crashAt !== undefined

export const crashPoint = (name: string): void => {
  if (crashAt !== undefined && crashAt === name) process.kill(process.pid, 'SIGKILL')
}

function parseEnvFault(spec: string | undefined): { op: string; errno: string; remaining: number } | undefined {
  if (!spec) return undefined
  const [op, errno, nth] = spec.split(':')
  if (!op || !errno) return undefined
  return { op, errno, remaining: Number(nth ?? 1) || 1 }
}
