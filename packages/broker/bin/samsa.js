#!/usr/bin/env node
// The `samsa` command (for now only `samsa broker`; the full CLI is @samsa/cli, later). Runs the compiled
// broker from dist/ (`npm run build`); in a source checkout use `npm start` or
// `node --conditions=source --import tsx packages/broker/src/main.ts`.
import('../dist/main.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('samsa: dist/ is missing; run `npm run build` first, or start from source with `npm start`.')
    process.exit(1)
  }
  throw e
})
