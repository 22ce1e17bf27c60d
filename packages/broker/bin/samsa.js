#!/usr/bin/env node
// The `samsa` command (for now only `samsa broker`; the full CLI is @samsa/cli, later). Runs the compiled broker
// as one bundled file, dist/bundle/main.js (`npm run build` = tsc -b, then scripts/bundle-broker.mjs): loading
// ~150 separate ES modules cost about a third of the cold start. Without a build, run the sources with
// `node --conditions=source --import tsx packages/broker/src/main.ts`.
import module from 'node:module'

// Node ≥ 22.1 can keep V8's compiled code between runs (in the OS temp dir), which skips re-compiling the bundle on
// every start (measured on Node 22: median 130 → 101 ms). Node 20 lacks the function; where the cache cannot be
// used (e.g. a read-only temp dir) Node reports a failed status and compiles as usual, so this is best effort.
if (typeof module.enableCompileCache === 'function') module.enableCompileCache()

import('../dist/bundle/main.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/bundle/main.js')) {
    console.error('samsa: dist/bundle/main.js is missing; run `npm run build` first (`npm start` builds and starts).')
    process.exit(1)
  }
  throw e
})
