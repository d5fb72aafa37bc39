#!/usr/bin/env node
'use strict'
// CommonJS on purpose (bin/package.json): libuv sizes its thread pool once, at first use, and an ES module
// entry has used it before its first line runs (the loader reads the file through it). Cleanup's deletes and
// migrate's copies wait on that pool; a disk that takes many requests at once empties a trash far faster with
// more of them in flight (docs/ARCHITECTURE.md, "The thread pool"). A size set by the caller is kept.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '32'
import('../dist/cli/main.js').then(async ({ main }) => {
  process.exitCode = await main(process.argv)
})
