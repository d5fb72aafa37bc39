/**
 * The operations, loaded when a command runs rather than at startup: they pull
 * in hnswlib-node, pdfjs and mammoth, which `--help`, `--version` and a usage
 * error should not pay for.
 */
export const loadOps = () => import('../ops/index.js')
