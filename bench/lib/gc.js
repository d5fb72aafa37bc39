/**
 * A full GC between sides, so one side never pays for the other's garbage (an
 * open hnswlib index is freed only by GC). `npm run bench` runs plain `node`,
 * so the flag is switched on here rather than on the command line.
 */
import v8 from 'node:v8'
import vm from 'node:vm'

v8.setFlagsFromString('--expose-gc')
const gcFn = vm.runInNewContext('gc')

export const collectGarbage = () => {
  gcFn()
  gcFn()
}
